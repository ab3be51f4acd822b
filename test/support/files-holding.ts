import { spawnSync } from 'node:child_process';

/** Files under `dir` holding `value` anywhere in their bytes (the store's database and its WAL included). */
export function filesHolding(dir: string, value: string): string[] {
  const r = spawnSync('grep', ['-rlaF', value, dir], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l !== '');
}
