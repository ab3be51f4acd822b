import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, ratio, scratch, SHARK, timeOnce, write } from './tools.js';

const ITEMS = Number(process.env['SHARK_BENCH_SLURM_ITEMS'] ?? 1000);
const PER_TASK = (process.env['SHARK_BENCH_SLURM_PER_TASK'] ?? '50,250').split(',').map(Number);

/**
 * A map of ITEMS trivial items through `shark run`: locally at `-j 2`, then
 * under `--executor slurm` with K items per array task (each in a fresh
 * store, so every item runs). Target: none, it is the cost of the cluster;
 * the figure says from what size of job Slurm pays off here.
 */
export function benchSlurmMap(): string[] {
  const fence = '```';
  const doc = [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Map', '', `${fence}shark-run`, 'tr a-z A-Z < /data/in/* > /data/out/+', fence, ''].join('\n');
  const run = (args: readonly string[]): number => {
    const dir = scratch('slurm-map');
    try {
      write(join(dir, 'p.md'), doc);
      for (let i = 0; i < ITEMS; i++) write(join(dir, `in/item-${i}.txt`), `item ${i}\n`);
      return timeOnce(process.execPath, [SHARK, 'run', 'p.md', '-j', '2', ...args], dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const local = run([]);
  const lines = [`slurm: a ${ITEMS}-item map of trivial jobs through shark run, -j 2, every item run (no target: the cluster's cost)`, `  local                          ${fmt(local)}  (${((local / ITEMS) * 1000).toFixed(1)} ms/item)`];
  for (const k of PER_TASK) {
    const slurm = run(['--executor', 'slurm', '--items-per-task', String(k)]);
    lines.push(`  slurm, ${String(k).padStart(4)} items per task     ${fmt(slurm)}  (${Math.ceil(ITEMS / k)} tasks; ${ratio(slurm, local)} local)`);
  }
  return lines;
}
