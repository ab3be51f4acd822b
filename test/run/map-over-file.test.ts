import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
/** Line 8 col 12 is the wildcard's mention. Written by `cp`, /data/x is not known to be a file before it is made. */
const UPSTREAM = `# A map over a file

${fence}shark-run
echo one > /data/seed && cp /data/seed /data/x
${fence}

${fence}shark-run
wc -c < /data/x/* > /data/counts/+
${fence}
`;

const INPUT = `---
inputs:
  ranges: /data/ranges/
---
${fence}shark-run
wc -c < /data/ranges/* > /data/counts/+
${fence}
`;

describe('a map over a file instead of a directory', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('fails the run at the wildcard, produced upstream', async () => {
    rig.write('p.md', UPSTREAM);
    const r = await rig.shark(['run', 'p.md']);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toContain('p.md:8:9');
    expect(r.stderr + r.stdout).toContain('maps over `/data/x/*`, but /data/x is a file, not a directory: a map runs one job per item of a directory');
  });

  it('is shown by the plan, with the reason', async () => {
    rig.write('p.md', UPSTREAM);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(1);
    const plan = await rig.plan('p.md');
    const job = plan.jobs.find((j) => j.step === 'wc-c-data-x-data-counts' || j.line === 7 || j.line === 8);
    expect(job?.reasons.join(' ')).toContain('maps over `/data/x/*`, but /data/x is a file, not a directory');
    expect(job?.reasons.join(' ')).toContain('(line 8, column 9)');
  });

  it('is refused from check on where a redirection writes the file (it ran, then failed the map)', async () => {
    rig.write('p.md', UPSTREAM.replace('echo one > /data/seed && cp /data/seed /data/x', 'echo one > /data/x'));
    for (const command of ['check', 'plan', 'run']) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toContain('p.md:8:9: error: `/data/x/*` looks inside `/data/x`, which step `a-map-over-a-file` writes as a file');
    }
    expect(rig.exists('.shark')).toBe(false);
  });

  it('refuses a file bound to a frontmatter input it maps over, at the input, before anything runs', async () => {
    rig.write('p.md', INPUT);
    rig.write('ranges.txt', 'not a directory\n');
    for (const command of ['run', 'plan']) {
      const r = await rig.shark([command, 'p.md', '-i', 'ranges=ranges.txt']);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toContain('p.md:3:11: error: input `ranges` (/data/ranges/) is a directory, but is bound to ranges.txt, a file: bind a directory');
    }
    expect(rig.exists('.shark')).toBe(false);
  });
});
