import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A failing step, then three independent ones that each count their start, and an import. */
const PIPELINE = `# Fail

\`\`\`shark-run {id=bad}
sleep 0.3; exit 3
\`\`\`

\`\`\`shark-run {id=one}
echo one >> counter; echo > /data/one.txt
\`\`\`

\`\`\`shark-run {id=two}
echo two >> counter; echo > /data/two.txt
\`\`\`

\`\`\`shark-run {id=three}
echo three >> counter; echo > /data/three.txt
\`\`\`

## Fetch

\`\`\`shark-import
file:f.txt /data/f.txt
\`\`\`
`;

describe('a run that stops at its first failure', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('starts no job waiting for a slot once a job has failed, even one of another step', async () => {
    rig.write('p.md', PIPELINE);
    rig.write('f.txt', 'f\n');
    for (let i = 0; i < 3; i++) {
      rig.write('counter', '');
      const ran = await rig.shark(['run', 'p.md', '-j', '1', '--json']);
      expect(ran.code).toBe(1);
      expect(rig.lines()).toEqual([]);
      const events = ran.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; job?: string; block?: string });
      expect(events.filter((e) => e.type === 'job-start').map((e) => e.job)).toEqual(['bad']);
      expect(events.filter((e) => e.type === 'job-skipped').map((e) => e.job).sort()).toEqual(['fetch', 'one', 'three', 'two']);
      // As every job event, a skipped one names its block.
      expect(events.filter((e) => e.type === 'job-skipped').map((e) => e.block).sort()).toEqual(['fetch', 'one', 'three', 'two']);
    }
  });

  it('sends job-start only for jobs whose command started, never for a map job queued behind the one that failed', async () => {
    rig.write('p.md', `# Map\n\n\`\`\`shark-import\nin /data/in/\n\`\`\`\n\n\`\`\`shark-run {id=m}\nn=$(cat /data/in/*); echo $n >> ran; if [ $n = 3 ]; then sleep 0.3; exit 3; fi; cp /data/in/* /data/out/+\n\`\`\`\n`);
    for (let n = 1; n <= 8; n++) rig.write(`in/x${n}`, `${n}\n`);
    for (const jobs of ['1', '2']) {
      rig.write('ran', '');
      const ran = await rig.shark(['run', 'p.md', '-j', jobs, '--json', '--force', 'm']);
      expect(ran.code).toBe(1);
      const events = ran.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; job?: string });
      const started = events.filter((e) => e.type === 'job-start' && e.job!.startsWith('m[')).map((e) => e.job!.replace(/^m\[x(\d+)\]$/, '$1'));
      expect(started.sort()).toEqual(rig.read('ran').split('\n').filter(Boolean).sort());
      // A skipped job never started.
      const skipped = events.filter((e) => e.type === 'job-skipped').map((e) => e.job);
      expect(skipped.length).toBeGreaterThan(0);
      expect(skipped.filter((j) => events.some((e) => e.type === 'job-start' && e.job === j))).toEqual([]);
    }
  });

  it('with --keep-going, runs the others', async () => {
    rig.write('p.md', PIPELINE);
    // A missing local import would be refused before any job (exit 2): it is there.
    rig.write('f.txt', 'f\n');
    const ran = await rig.shark(['run', 'p.md', '-j', '1', '-k']);
    expect(ran.code).toBe(1);
    expect(rig.lines().sort()).toEqual(['one', 'three', 'two']);
  });

  it('starts independent steps in the order of the document, even when the first names a directory whose files are hashed first', async () => {
    rig.write('p.md', PIPELINE.replace('sleep 0.3; exit 3', 'ls ./tools/ > /dev/null; sleep 0.3; exit 3'));
    rig.write('f.txt', 'f\n');
    for (let n = 0; n < 40; n++) rig.write(`tools/t${n}.sh`, `echo ${n}\n`);
    rig.write('counter', '');
    const ran = await rig.shark(['run', 'p.md', '-j', '1', '--json']);
    expect(ran.code).toBe(1);
    const events = ran.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; job?: string });
    expect(events.filter((e) => e.type === 'job-start').map((e) => e.job)).toEqual(['bad']);
    expect(rig.read('counter')).toBe('');
  });
});
