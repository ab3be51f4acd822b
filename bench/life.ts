import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, median, ROOT, SHARK, scratch, table, timeOnce, write } from './tools.js';

const node = process.execPath;
const HABITATS = ['forest', 'wetland', 'arable', 'pasture', 'urban'];

/**
 * `pipelines/life.md` (two taxa, two scenarios: a sweep of nested maps, a
 * join per species, sums per taxon and a total) over `n` species per taxon.
 * Every tenth species has the range of species 0: the same bytes in many
 * places, as many species with no habitat left have.
 */
function lifeAt(n: number): string {
  const dir = scratch('life');
  copyFileSync(join(ROOT, 'pipelines/life.md'), join(dir, 'life.md'));
  for (const taxon of ['AMPHIBIA', 'AVES']) {
    for (let i = 0; i < n; i++) {
      const seed = i % 10 === 0 ? 0 : i;
      const cells = Array.from({ length: 5 }, (_, c) => `${seed * 5 + c} ${HABITATS[(seed * 7 + c * 3) % 5]}`).join('\n');
      write(join(dir, 'life/ranges', taxon, `sp${i}.txt`), `${cells}\n`);
    }
  }
  timeOnce(node, [SHARK, 'run', 'life.md', '-j', '2'], dir);
  return dir;
}

/**
 * Issue 17, for the shape LIFE has rather than one flat map: the commands a
 * user runs on a fully computed pipeline, at `n` and at `2n` species per
 * taxon (SHARK_BENCH_SPECIES, 1,000 unless set: 10,007 and 20,007 jobs).
 * Each must grow with the jobs, not faster: the time beyond start-up at
 * twice the species, against twice that at `n`.
 */
export function benchLife(): string[] {
  return [...benchSpecies(), ...benchSweep()];
}

function benchSpecies(): string[] {
  const n = Number(process.env.SHARK_BENCH_SPECIES ?? 1000);
  const dirs = [lifeAt(n), lifeAt(2 * n)];
  try {
    const idle = median(node, [SHARK, '--version'], dirs[0]!);
    const commands: [string, string[]][] = [
      ['plan life.md', ['plan', 'life.md']],
      ['lineage of the restore total', ['lineage', 'life.md', '/data/total/restore.txt']],
      ['why of a range 1 in 10 species share', ['why', 'life/ranges/AVES/sp0.txt']],
      ['runs life.md', ['runs', 'life.md']],
      ['run life.md (all cached)', ['run', 'life.md', '-j', '2']],
    ];
    const rows = commands.map(([what, args]): [string, string, string] => {
      const [small, large] = dirs.map((d) => median(node, [SHARK, ...args], d, 3));
      const growth = Math.max(0, large! - idle) / Math.max(1e-3, small! - idle);
      return [what, `${fmt(small!)} → ${fmt(large!)} (beyond start-up ×${growth.toFixed(2)})`, '× ≤ 2.4 (jobs ×2)'];
    });
    return table(`life.md, fully computed, ${n.toLocaleString('en')} → ${(2 * n).toLocaleString('en')} species per taxon (median wall time; start-up ${fmt(idle)}):`, rows);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** `life.md` swept over `k` taxa × `k` scenarios (5 species each), nothing run: 3k² + 2k steps. */
function sweepOf(k: number): string {
  const dir = scratch('sweep');
  const axis = (prefix: string): string => `[${Array.from({ length: k }, (_, i) => `${prefix}${i}`).join(', ')}]`;
  const text = readFileSync(join(ROOT, 'pipelines/life.md'), 'utf8')
    .replace('TAXA: [AMPHIBIA, AVES]', `TAXA: ${axis('T')}`).replace('SCENARIO: [restore, arable]', `SCENARIO: ${axis('S')}`);
  write(join(dir, 'life.md'), text);
  for (let t = 0; t < k; t++) for (let i = 0; i < 5; i++) write(join(dir, 'life/ranges', `T${t}`, `sp${i}.txt`), `${i} forest\n${i + 1} arable\n`);
  return dir;
}

/**
 * A sweep of many step instances (20 × 20 and 40 × 40 taxa and scenarios:
 * 1,243 and 4,883 steps): reading the document, drawing it and planning it
 * must grow with the steps (×3.9), not with their square.
 */
function benchSweep(): string[] {
  const dirs = [sweepOf(20), sweepOf(40)];
  try {
    const idle = median(node, [SHARK, '--version'], dirs[0]!);
    const rows = [['check', 'life.md'], ['dag', 'life.md'], ['plan', 'life.md']].map((args): [string, string, string] => {
      const [small, large] = dirs.map((d) => median(node, [SHARK, ...args], d, 3));
      const growth = Math.max(0, large! - idle) / Math.max(1e-3, small! - idle);
      return [args[0]!, `${fmt(small!)} → ${fmt(large!)} (beyond start-up ×${growth.toFixed(2)})`, '× ≤ 4.7 (steps ×3.9)'];
    });
    return table(`life.md swept over 20 × 20 → 40 × 40 taxa and scenarios, nothing run (median wall time; start-up ${fmt(idle)}):`, rows);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
