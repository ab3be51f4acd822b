import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A job that records when it started and ended (`date +%s.%N`) in `times`, and SHARK_THREADS in its output. */
function timed(name: string, out: string, seconds = 0.4): string {
  return `s=$(date +%s.%N); sleep ${seconds}; echo "${name} $s $(date +%s.%N) $SHARK_THREADS" >> times; echo $SHARK_THREADS > ${out}`;
}

interface Span {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly threads: string;
}

function spans(rig: Rig): Span[] {
  return rig.lines('times').map((l) => {
    const [name, start, end, threads] = l.split(' ');
    return { name: name!, start: Number(start), end: Number(end), threads: threads ?? '' };
  });
}

const overlap = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

describe('{threads}, {memory} and pools on the host', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('runs a {threads=2} job alone under -j 2, and gives it SHARK_THREADS=2 (others 1)', async () => {
    rig.write('p.md', `# threads

\`\`\`shark-run {threads=2}
${timed('big', '/data/big.txt')}
\`\`\`

\`\`\`shark-run
${timed('s1', '/data/s1.txt')}
\`\`\`

\`\`\`shark-run
${timed('s2', '/data/s2.txt')}
\`\`\`

\`\`\`shark-run
${timed('s3', '/data/s3.txt')}
\`\`\`

\`\`\`shark-publish
/data/big.txt
/data/s1.txt
\`\`\`
`);
    const ran = await rig.shark(['run', 'p.md', '-j', '2']);
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    const all = spans(rig);
    expect(all.map((s) => s.name).sort()).toEqual(['big', 's1', 's2', 's3']);
    const big = all.find((s) => s.name === 'big')!;
    for (const other of all.filter((s) => s !== big)) expect(overlap(big, other), `${other.name} overlaps big`).toBe(false);
    // The small jobs did share the two slots: the budget is not simply one job at a time.
    const small = all.filter((s) => s !== big);
    expect(small.some((a) => small.some((b) => a !== b && overlap(a, b)))).toBe(true);
    expect(Object.fromEntries(all.map((s) => [s.name, s.threads]))).toEqual({ big: '2', s1: '1', s2: '1', s3: '1' });
    expect(rig.read('_shark/big.txt')).toBe('2\n');
  });

  it('clamps threads beyond -j to -j, with a located warning; {threads=all} takes every slot', async () => {
    rig.write('p.md', `# all

\`\`\`shark-run {threads=8}
${timed('eight', '/data/eight.txt', 0.1)}
\`\`\`

\`\`\`shark-run {threads=all}
${timed('all', '/data/all.txt', 0.1)}
\`\`\`
`);
    const ran = await rig.shark(['run', 'p.md', '-j', '3']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain('p.md:3:15: warning: threads=8 is more than -j 3: each job of this block takes all 3 slots (SHARK_THREADS=3)');
    const all = spans(rig);
    expect(Object.fromEntries(all.map((s) => [s.name, s.threads]))).toEqual({ eight: '3', all: '3' });
    expect(overlap(all[0]!, all[1]!)).toBe(false);
  });

  it('never runs two jobs of a pool of 1 at once, across two blocks and a map, while others run beside them', async () => {
    rig.write('p.md', `---
pools: {db: 1}
---

# pools

\`\`\`shark-run
mkdir -p /data/items && for i in 1 2 3 4; do echo $i > /data/items/i$i; done
\`\`\`

\`\`\`shark-run {pool=db}
${timed('map', '/data/out/+', 0.2)} && cat /data/items/* > /dev/null
\`\`\`

\`\`\`shark-run {pool=db}
${timed('single', '/data/single.txt', 0.2)}
\`\`\`

\`\`\`shark-run
${timed('free', '/data/free.txt', 0.6)}
\`\`\`
`);
    const ran = await rig.shark(['run', 'p.md', '-j', '4']);
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    const all = spans(rig);
    const pooled = all.filter((s) => s.name !== 'free');
    expect(pooled).toHaveLength(5);
    for (const a of pooled) for (const b of pooled) if (a !== b) expect(overlap(a, b), `${a.name} and ${b.name} overlap`).toBe(false);
    const free = all.find((s) => s.name === 'free')!;
    expect(pooled.some((p) => overlap(p, free))).toBe(true);
  });

  it('takes --pool over the frontmatter, and a pool only the command line sizes', async () => {
    rig.write('p.md', `# pools

\`\`\`shark-run {pool=gbif}
echo a > /data/a.txt
\`\`\`
`);
    const ran = await rig.shark(['run', 'p.md', '--pool', 'gbif=1']);
    expect(ran.code, ran.stderr).toBe(0);
  });

  it('refuses an undeclared pool before anything runs, at the option (exit 2)', async () => {
    rig.write('p.md', `---
pools: {db: 1}
---

# pools

\`\`\`shark-run {id=load, pool=gbif}
echo ran >> counter; echo a > /data/a.txt
\`\`\`
`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('p.md:7:24: error: undeclared pool `gbif`: give its size in the frontmatter (`pools: {gbif: 1}`) or with --pool gbif=N (declared: db)');
    expect(ran.stderr).toContain('    7 | ```shark-run {id=load, pool=gbif}\n      |                        ^');
    expect(rig.count()).toBe(0);
    // Refused before anything is written: no store beside a document that cannot run.
    expect((await rig.shark(['plan', 'p.md'])).code).toBe(2);
    expect((await rig.shark(['run', 'p.md', 'no-such-step'])).code).toBe(2);
    expect(existsSync(join(rig.dir, '.shark'))).toBe(false);
  });

  it('plan and config refuse an undeclared pool and too much memory as run does, same message, exit 2, even with every job cached', async () => {
    rig.write('p.md', '```shark-run {pool=db}\necho a > /data/a.txt\n```\n\n```shark-run {memory=2G}\necho b > /data/b.txt\n```\n');
    expect((await rig.shark(['run', 'p.md', '--pool', 'db=1'])).code).toBe(0);
    const run = await rig.shark(['run', 'p.md', '--memory', '1G']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('p.md:1:15: error: undeclared pool `db`');
    expect(run.stderr).toContain('p.md:5:15: error: memory=2G is more than this run may use (1G, --memory');
    for (const command of ['plan', 'config']) {
      const r = await rig.shark([command, 'p.md', '--memory', '1G']);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toBe(run.stderr);
      expect(r.stdout, command).toBe('');
      expect((await rig.shark([command, 'p.md', '--pool', 'db=1'])).code, command).toBe(0);
    }
    const script = await rig.shark(['plan', 'p.md', '--script']);
    expect(script.code).toBe(2);
    expect(script.stderr).toContain('p.md:1:15: error: undeclared pool `db`');
  });

  it('config lists the frontmatter\'s pool sizes with their line, under shark.yaml\'s and --pool', async () => {
    rig.write('p.md', '---\npools: {db: 2, gis: 1}\n---\n```shark-run {pool=db}\necho a > /data/a.txt\n```\n\n```shark-run {pool=gis}\necho b > /data/b.txt\n```\n');
    const r = await rig.shark(['config', 'p.md', '--pool', 'gis=3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('pools.db = 2 (p.md:2)\npools.gis = 3 (command line --pool)\n');
    const json = JSON.parse((await rig.shark(['config', 'p.md', '--json'])).stdout) as { settings: { name: string }[] };
    expect(json.settings.filter((s) => s.name.startsWith('pools.'))).toEqual([
      { name: 'pools.db', value: 2, from: 'document', at: 'p.md:2' },
      { name: 'pools.gis', value: 1, from: 'document', at: 'p.md:2' },
    ]);
  });

  it('refuses a job declaring more memory than the run may use (exit 2), at the option; --memory sets the limit', async () => {
    rig.write('p.md', `# memory

\`\`\`shark-run {memory=2G}
echo ran >> counter; echo a > /data/a.txt
\`\`\`
`);
    const over = await rig.shark(['run', 'p.md', '--memory', '1G']);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain("p.md:3:15: error: memory=2G is more than this run may use (1G, --memory; the default is the machine's memory): no job of this block could start");
    expect(rig.count()).toBe(0);
    const fits = await rig.shark(['run', 'p.md', '--memory', '4G']);
    expect(fits.code, fits.stderr).toBe(0);
    expect(rig.count()).toBe(1);
  });

  it('takes the machine\'s memory as the default limit', async () => {
    rig.write('p.md', `# memory

\`\`\`shark-run {memory=1000T}
echo ran >> counter; echo a > /data/a.txt
\`\`\`
`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/p\.md:3:15: error: memory=1000T is more than this run may use \([\d.]+[GMT], --memory/);
  });

  it('refuses malformed --memory and --pool values (exit 2)', async () => {
    rig.write('p.md', '# empty\n\n```shark-run\necho a > /data/a.txt\n```\n');
    // A size no job could be given (1 byte: `--memory 1` was taken), or more than any machine has (read as unlimited).
    for (const value of ['lots', '1', '5M', '99999999999999999999999G']) {
      const memory = await rig.shark(['run', 'p.md', '--memory', value]);
      expect(memory.code, value).toBe(2);
      expect(memory.stderr).toContain(`--memory expects a size such as 64G or 512M, from 6M to 8192T, not \`${value}\``);
    }
    const pool = await rig.shark(['run', 'p.md', '--pool', 'db=0']);
    expect(pool.code).toBe(2);
    expect(pool.stderr).toContain('--pool expects NAME=N (N jobs of the pool at once, at least 1), not `db=0`');
  });

  it('holds a pool size to the one rule of -j and jobs: (exact as a number), in the frontmatter, --pool and shark.yaml alike', async () => {
    const huge = '99999999999999999999';
    rig.write('p.md', `---\npools: {db: ${huge}}\n---\n\`\`\`shark-run {pool=db}\necho a > /data/a.txt\n\`\`\`\n`);
    const check = await rig.shark(['check', 'p.md']);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(`p.md:2:13: error: the pool \`db\` needs a size: a whole number of jobs at once, at least 1, not \`${huge}\`\n    2 | pools: {db: ${huge}}\n      |             ^`);
    rig.write('p.md', '```shark-run {pool=db}\necho a > /data/a.txt\n```\n');
    const flag = await rig.shark(['config', 'p.md', '--pool', `db=${huge}`]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(`--pool expects NAME=N (N jobs of the pool at once, at least 1), not \`db=${huge}\``);
    expect(flag.stdout).toBe('');
    rig.write('shark.yaml', `pools: {db: ${huge}}\n`);
    const config = await rig.shark(['config', 'p.md']);
    expect(config.code).toBe(2);
    expect(config.stderr).toContain(`shark.yaml:1:13: error: \`pools.db\` must be a positive whole number, not \`${huge}\``);
  });
});
