import { reapJobContainers } from './reap.js';

/**
 * `node reap-main.js PID`: what the watchdog (src/exec/watchdog.ts) runs when
 * the run PID has died, to end the job containers it left running. Quiet,
 * and always exits 0: nobody is left to read what it would say.
 */
const pid = Number(process.argv[2]);
if (Number.isSafeInteger(pid) && pid > 0) await reapJobContainers(pid);
process.exit(0);
