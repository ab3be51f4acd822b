import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `n` tiny item files (`0.txt` … holding their own number) into `dir`:
 * the input of the map benchmarks. Also a script:
 * `node dist/bench/gen-items.js DIR N` (1,000,000 files take about a minute).
 */
export function generateItems(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `${i}.txt`), `${i}\n`);
}

if (process.argv[1]?.endsWith('gen-items.js')) {
  const [dir, n] = process.argv.slice(2);
  if (dir === undefined || n === undefined) {
    console.error('usage: node dist/bench/gen-items.js DIR N');
    process.exit(2);
  }
  generateItems(dir, Number(n));
}
