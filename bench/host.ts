import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readChecks } from './integrity.js';
import { SHARK, fmt, has, median, peakMemoryMb, ratio, scratch, timeOnce, write } from './tools.js';

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
  const plan = median(node, [SHARK, 'plan', 'p.md', ...input], dir, 3);
  const run = median(node, [SHARK, 'run', 'p.md', ...input], dir, 3);
  const make = median('make', ['-q'], dir, 3);
  const lines = [
    '10,000-item map + reduce, fully cached (target: under 1 s each):',
    `  shark plan ${fmt(plan)}, shark run ${fmt(run)}`,
    readChecks(dir, plan),
    `  make -q ${fmt(make)}: shark plan/make ${ratio(plan, make)}, shark run/make ${ratio(run, make)}`,
  ];
  if (has('snakemake')) {
    const snake = median('snakemake', ['-n', '--quiet', '--cores', '1'], dir, 3);
    lines.push(`  snakemake -n ${fmt(snake)}: shark plan/snakemake ${ratio(plan, snake)}, shark run/snakemake ${ratio(run, snake)}`);
  } else {
    lines.push('  snakemake: not installed (apt-get install snakemake)');
  }
  return lines;
}

/** Issue 4: per-job overhead of 2,000 trivial map jobs with 2 at once, beside make -j2 and parallel -j2. */
function trivial2k(): string[] {
  const n = 2000;
  const dir = scratch('2k');
  items(join(dir, 'items'), n);
  write(join(dir, 'p.md'), mapPipeline('true /data/items/*', false));
  write(join(dir, 'Makefile'), `JOBS := $(shell seq ${n})\nall: $(JOBS)\n$(JOBS):\n\t@true\n.PHONY: all $(JOBS)\n`);
  const shark = (): number => {
    spawnSync('rm', ['-rf', join(dir, '.shark')]);
    return timeOnce(node, [SHARK, 'run', 'p.md', '-i', 'items=items', '-j', '2'], dir);
  };
  shark();
  const sharkTimes = [shark(), shark(), shark()].sort((a, b) => a - b);
  const s = sharkTimes[1]!;
  const make = median('make', ['-j2', '-s'], dir, 3);
  const lines = [`${n} trivial map jobs (true), -j 2 (target: within 1.5× of make):`];
  lines.push(`  shark ${fmt(s)} (${((s / n) * 1000).toFixed(2)} ms/job)`);
  lines.push(`  make -j2 ${fmt(make)} (${((make / n) * 1000).toFixed(2)} ms/job): shark/make ${ratio(s, make)}`);
  if (has('parallel')) {
    const par = median('sh', ['-c', `seq ${n} | parallel -j2 true`], dir, 3);
    lines.push(`  parallel -j2 ${fmt(par)} (${((par / n) * 1000).toFixed(2)} ms/job): shark/parallel ${ratio(s, par)}`);
  }
  return lines;
}

/** Issue 4: peak memory of planning 100,000 items. */
function plan100k(): string[] {
  const dir = scratch('100k');
  items(join(dir, 'items'), 100_000);
  write(join(dir, 'p.md'), mapPipeline('cp /data/items/* /data/out/+', true));
  const mb = peakMemoryMb(node, [SHARK, 'plan', 'p.md', '-i', 'items=items'], dir);
  const seconds = timeOnce(node, [SHARK, 'plan', 'p.md', '-i', 'items=items'], dir);
  return [`plan of 100,000 items: peak memory ${mb === undefined ? 'unknown (no /usr/bin/time)' : `${mb.toFixed(0)} MB`} (target under 500 MB), ${fmt(seconds)}`];
}

export function benchHost(): string[] {
  return [...cached200(), ...cached10k(), ...trivial2k(), ...plan100k()];
}
