import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HostExecutor } from '../src/exec/host-executor.js';

/**
 * Seconds for `n` runs of `true` through Shark's host launcher alone, `slots`
 * at once: no plan, no store, no lease, no record. What a host job costs
 * here before Shark does anything of its own; the floor under `shark run`.
 */
export async function launcherAlone(dir: string, n: number, slots: number): Promise<number> {
  const root = join(dir, 'launcher-ws');
  mkdirSync(join(root, 'data'), { recursive: true });
  const executor = new HostExecutor();
  const signal = new AbortController().signal;
  let next = 0;
  const t0 = performance.now();
  const slot = async (): Promise<void> => {
    while (next < n) {
      next++;
      const outcome = await executor.run({
        label: 'bench', script: (data) => `true ${data}/data/items/${next}`, workspace: { root }, inputs: [], outputs: [],
        cwd: undefined, pipelineDir: dir, containerWorkdir: '/', env: {}, network: false, timeout: undefined, logPath: join(dir, 'launcher.log'), signal,
      });
      if (outcome.status !== 'ok') throw new Error(`the launcher failed: ${JSON.stringify(outcome)}`);
    }
  };
  await Promise.all(Array.from({ length: slots }, slot));
  return (performance.now() - t0) / 1000;
}
