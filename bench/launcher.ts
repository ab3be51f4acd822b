import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HostExecutor } from '../src/exec/host-executor.js';
import { Scheduler } from '../src/exec/scheduler.js';

/**
 * Seconds for `n` runs of `true` through Shark's host launcher alone, `slots`
 * at once, admitted by Shark's scheduler in one lane (jobs queued behind
 * each running one, as deep as the lane's pace allows, as a map step's are):
 * no plan, no store, no lease, no
 * record. What a host job costs here before Shark does anything of its own;
 * the floor under `shark run`.
 */
export async function launcherAlone(dir: string, n: number, slots: number): Promise<number> {
  const root = join(dir, 'launcher-ws');
  mkdirSync(join(root, 'data'), { recursive: true });
  const executor = new HostExecutor();
  const scheduler = new Scheduler({ slots, memory: Infinity, pools: new Map() });
  const signal = new AbortController().signal;
  const demand = { slots: 1, memory: 0, pool: undefined };
  const t0 = performance.now();
  const all = Array.from({ length: n }, (_, i) => scheduler.run(demand, (turn) => executor.run({
    label: 'bench', script: (data) => `true ${data}/data/items/${i + 1}`, workspace: { root }, inputs: [], outputs: [],
    cwd: undefined, pipelineDir: dir, containerWorkdir: '/', env: {}, network: false, timeout: undefined, logPath: join(dir, 'launcher.log'), signal,
    turn, queued: { begun: () => undefined, stopped: join(dir, 'launcher-stopped') },
  }), undefined, 'bench'));
  for (const outcome of await Promise.all(all)) {
    if (outcome?.status !== 'ok') throw new Error(`the launcher failed: ${JSON.stringify(outcome)}`);
  }
  return (performance.now() - t0) / 1000;
}
