import { benchHost } from './host.js';
import { nativeStatNote, removeScratch, withoutStartTax } from './tools.js';

/**
 * `npm run bench`: the figures the issues ask for, each measured side by
 * side with the tools it is compared to, in one run on this machine.
 */
async function main(): Promise<void> {
  const only = process.argv[2];
  for (const line of withoutStartTax()) console.log(line);
  console.log(nativeStatNote());
  const sections: [string, () => Promise<string[]> | string[]][] = [
    ['host', benchHost],
    ['scale', async () => (await import('./scale.js')).benchScale()],
    ['stop', async () => (await import('./stop.js')).benchStop()],
    ['lineage', async () => (await import('./scale.js')).benchLineage()],
    ['import', async () => (await import('./reimport.js')).benchReimport()],
    ['life', async () => (await import('./life.js')).benchLife()],
    ['store', async () => (await import('./store.js')).benchCommit()],
    ['docker', async () => (await import('./docker.js')).benchDocker()],
    ['slurm', async () => (await import('./slurm.js')).benchSlurm()],
  ];
  for (const [name, run] of sections) {
    if (only !== undefined && only !== name) continue;
    console.log(`== ${name}`);
    try {
      for (const line of await run()) console.log(line);
    } catch (e) {
      console.log(`  (not measured: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  removeScratch();
}

await main();
