import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readChecks } from './integrity.js';
import { launcherAlone } from './launcher.js';
import { SHARK, alternating, fmt, has, inTurns, median, peakMemoryMb, ratio, scratch, table, timeOnce, write } from './tools.js';

const node = process.execPath;

function items(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `${i}.txt`), `${i}\n`);
}

function mapPipeline(command: string, reduce: boolean): string {
  return `---\ninputs:\n  items: /data/items/\n---\n# Map\n\n\`\`\`shark-run\n${command}\n\`\`\`\n` +
    (reduce ? '\n## Reduce\n\n```shark-run\nls /data/out/ | wc -l > /data/count.txt\n```\n' : '');
}

/** Issue 3: a no-op plan and run of a fully cached pipeline of 200 steps. */
function cached200(): string[] {
  const dir = scratch('200');
  const steps = Array.from({ length: 200 }, (_, n) =>
    `## Step ${n}\n\n\`\`\`shark-run\n${n === 0 ? 'echo 0' : `cat /data/s${n - 1}.txt`} > /data/s${n}.txt\n\`\`\`\n`).join('\n');
  write(join(dir, 'p.md'), `# 200 steps\n\n${steps}`);
  timeOnce(node, [SHARK, 'run', 'p.md'], dir);
  const plan = median(node, [SHARK, 'plan', 'p.md'], dir);
  const run = median(node, [SHARK, 'run', 'p.md'], dir);
  return [`200-step pipeline, fully cached: shark plan ${fmt(plan)}, shark run ${fmt(run)}`];
}

/** Issue 4: a 10,000-item map and a reduce, fully cached, beside make -q and snakemake -n. */
function cached10k(): string[] {
  const dir = scratch('10k');
  items(join(dir, 'items'), 10_000);
  write(join(dir, 'p.md'), mapPipeline('cp /data/items/* /data/out/+', true));
  write(join(dir, 'Makefile'), [
    'ITEMS := $(wildcard items/*.txt)',
    'OUT := $(patsubst items/%,out/%,$(ITEMS))',
    'all: count.txt',
    'out/%: items/% | out',
    '\tcp $< $@',
    'out:',
    '\tmkdir -p out',
    'count.txt: $(OUT)',
    '\tls out | wc -l > $@',
    '',
  ].join('\n'));
  write(join(dir, 'Snakefile'), [
    'import os',
    'ITEMS = [f[:-4] for f in os.listdir("items")]',
    'rule all:',
    '    input: "count.txt"',
    'rule copy:',
    '    input: "items/{i}.txt"',
    '    output: "out/{i}.txt"',
    '    shell: "cp {input} {output}"',
    'rule count:',
    '    input: expand("out/{i}.txt", i=ITEMS)',
    '    output: "count.txt"',
    '    shell: "ls out | wc -l > {output}"',
    '',
  ].join('\n'));
  const input = ['-i', 'items=items'];
  timeOnce(node, [SHARK, 'run', 'p.md', ...input, '-j', '2'], dir);
  timeOnce('make', ['-j2', '-s'], dir);
  // In turns, five rounds: the figures are ratios of one another.
  const [plan, run, make, snake] = alternating([
    [node, [SHARK, 'plan', 'p.md', ...input]],
    [node, [SHARK, 'run', 'p.md', ...input]],
    ['make', ['-q']],
    ...(has('snakemake') ? [['snakemake', ['-n', '--quiet', '--cores', '1']] as const] : []),
  ], dir) as [number, number, number, number | undefined];
  // The targets are the plan's, a dry run as `make -q` and `snakemake -n` are; a run also records that it reused every result.
  const versus = (s: number, target: string): string =>
    snake === undefined ? 'snakemake: not installed (apt-get install snakemake)' : `${(snake / s).toFixed(1)}× faster than snakemake -n${target}`;
  return [
    ...table('10,000-item map + reduce, fully cached:', [
      ['shark plan', fmt(plan), `${ratio(plan, make)} make -q (target ≤ 0.5×); ${versus(plan, ' (target ≥ 20×)')}`],
      ['shark run', fmt(run), `${ratio(run, make)} make -q; ${versus(run, '')} (the targets are the plan\'s)`],
      ['make -q', fmt(make), ''],
      ...(snake !== undefined ? [['snakemake -n', fmt(snake), ''] as const] : []),
    ]),
    readChecks(dir, plan),
  ];
}

/**
 * A map of `true` over n items, with make's and parallel's equivalents beside it. Each tool's job
 * is the same command, `true` given its item's path: with an argument, coreutils' `true` sets up
 * the locale (LANG), which costs it more than everything else it does (2,000 jobs here: about
 * 0.5 s of CPU), so make running a bare `true` would time other work than Shark and parallel.
 */
function trivialRig(n: number, tag: string): string {
  const dir = scratch(tag);
  items(join(dir, 'items'), n);
  write(join(dir, 'p.md'), mapPipeline('true /data/items/*', false));
  write(join(dir, 'Makefile'), `JOBS := $(shell seq ${n})\nall: $(JOBS)\n$(JOBS):\n\t@true items/$@.txt\n.PHONY: all $(JOBS)\n`);
  return dir;
}

/**
 * Issue 17: per-job overhead of 2,000 trivial map jobs with 2 at once, beside make -j2 and
 * parallel -j2: on a fresh store (the 2,000 inputs are copied into it too, timed beside `cp -r` of
 * them), and again with the inputs stored and the command changed, so only the jobs run.
 */
export async function trivial2k(): Promise<string[]> {
  const n = 2000;
  const dir = trivialRig(n, '2k');
  const args = [SHARK, 'run', 'p.md', '-i', 'items=items', '-j', '2'];
  // The last round's store is moved aside, and removed when the bench ends (`removeScratch`): on an ext4 without a journal (this VM's)
  // a file made within a minute of thousands being removed costs ~0.6 ms, not ~0.05, while the kernel looks for an
  // inode not freed in that minute (`recently_deleted`); removing 2,000 objects just before made the run 2.5 → 4 s.
  const aside = join(dir, 'old-stores');
  let rounds = 0;
  const fresh = (): number => {
    mkdirSync(aside, { recursive: true });
    spawnSync('mv', [join(dir, '.shark'), join(aside, String(++rounds))]);
    spawnSync('sync');
    return timeOnce(node, args, dir);
  };
  let edits = 0;
  const again = (): number => {
    write(join(dir, 'p.md'), mapPipeline(`true /data/items/* ${++edits}`, false));
    spawnSync('sync');
    return timeOnce(node, args, dir);
  };
  const timeMake = (): number => {
    spawnSync('sync');
    return timeOnce('make', ['-j2', '-s'], dir);
  };
  // What a store that keeps its inputs cannot take less than: a copy of them (`cp -r`), made in the same turns.
  const copy = (): number => {
    mkdirSync(aside, { recursive: true });
    spawnSync('sync');
    return timeOnce('cp', ['-r', 'items', join(aside, `copy-${++rounds}`)], dir);
  };
  // In turns, five rounds: a ratio of runs minutes apart moved by ±20 % on this VM.
  const [s, r, make, cp] = inTurns([fresh, again, timeMake, copy]) as [number, number, number, number];
  const launcher = [await launcherAlone(dir, n, 2), await launcherAlone(dir, n, 2), await launcherAlone(dir, n, 2)].sort((a, b) => a - b)[1]!;
  const perJob = (t: number): string => `${fmt(t)} (${((t / n) * 1000).toFixed(2)} ms/job)`;
  const rows: [string, string, string][] = [
    ['shark run, fresh store', perJob(s), `${ratio(s, make)} make -j2 (target ≤ 1.5×); less the copy of its inputs ${ratio(s - cp, make)}`],
    ['shark run, inputs stored', perJob(r), `${ratio(r, make)} make -j2 (target ≤ 1.5×)`],
    ['make -j2', perJob(make), ''],
    ['cp -r of the inputs', fmt(cp), 'what storing them takes at least: a fresh store copies them'],
    ['launcher alone, no store', perJob(launcher), `${ratio(launcher, make)} make -j2: the floor of a host job here (shark run / it ${ratio(r, launcher)})`],
  ];
  if (has('parallel')) {
    const par = median('sh', ['-c', `seq ${n} | parallel -j2 true items/{}.txt`], dir, 3);
    rows.push(['parallel -j2', perJob(par), `shark/parallel ${ratio(r, par)}`]);
  } else {
    rows.push(['parallel -j2', 'not installed (apt-get install parallel)', '']);
  }
  return table(`${n} trivial map jobs (true), -j 2:`, rows);
}

/**
 * Issue 17: 100,000 trivial jobs actually run (SHARK_BENCH_RUN_ITEMS), -j 2, beside a tenth of
 * them: memory stays flat when peak memory grows only by the records kept per job.
 */
function trivial100k(): string[] {
  const n = Number(process.env.SHARK_BENCH_RUN_ITEMS ?? 100_000);
  const rows: [string, string, string][] = [];
  for (const count of [n / 10, n]) {
    // Removed when the bench ends, not before the larger run: new files cost more right after a removal (trivial2k).
    const dir = trivialRig(count, `run${count}`);
    const t0 = performance.now();
    const mb = peakMemoryMb(node, [SHARK, 'run', 'p.md', '-i', 'items=items', '-j', '2'], dir);
    const seconds = (performance.now() - t0) / 1000;
    rows.push([`shark run, ${count.toLocaleString('en')} jobs`, `${fmt(seconds)} (${((seconds / count) * 1000).toFixed(2)} ms/job), ${mb === undefined ? 'memory unknown (no /usr/bin/time)' : `${mb.toFixed(0)} MB peak`}`,
      count === n ? 'reported; memory flat (grows by the records kept, not per job run)' : '']);
  }
  return table(`${n.toLocaleString('en')} trivial jobs actually run (true), -j 2, fresh store:`, rows);
}

/** Issue 4: peak memory of planning 100,000 items. */
function plan100k(): string[] {
  const dir = scratch('100k');
  items(join(dir, 'items'), 100_000);
  write(join(dir, 'p.md'), mapPipeline('cp /data/items/* /data/out/+', true));
  const mb = peakMemoryMb(node, [SHARK, 'plan', 'p.md', '-i', 'items=items'], dir);
  const seconds = timeOnce(node, [SHARK, 'plan', 'p.md', '-i', 'items=items'], dir);
  return table('plan of 100,000 items (nothing run):', [
    ['shark plan', `${fmt(seconds)}, ${mb === undefined ? 'memory unknown (no /usr/bin/time)' : `${mb.toFixed(0)} MB peak`}`, '< 500 MB'],
  ]);
}

export async function benchHost(): Promise<string[]> {
  if (!has('make')) return ['make: not installed (apt-get install make); the figures beside it are not measured', ...cached200(), ...plan100k()];
  return [...cached200(), ...cached10k(), ...(await trivial2k()), ...plan100k(), ...(process.env.SHARK_BENCH_RUN_ITEMS === '0' ? [] : trivial100k())];
}
