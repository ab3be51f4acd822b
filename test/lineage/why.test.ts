import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync } from 'node:fs';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';
import { normalise, PIPELINE, sharkIn } from './ask-fixture.js';
import { INPUTS, tinyRig } from './fixture.js';

describe('shark why', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // A second run, all cached: the answer names the run that made the bytes.
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('names the job, place, run, command and environment that made a published file, with its lineage', async () => {
    const ran = await rig.shark(['why', '_shark/report.txt']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expectGolden('lineage-queries/why.txt', normalise(ran.stdout, rig));
  });

  it('answers in JSON, for a file someone sent (the bytes, not the name), found from a subdirectory', async () => {
    rig.write('mail/attachment.txt', rig.read('_shark/report.txt'));
    mkdirSync(rig.path('deep/er'), { recursive: true });
    const ran = await sharkIn(rig, 'deep/er', ['why', '../../mail/attachment.txt', '--json']);
    expect(ran.code).toBe(0);
    const answer = JSON.parse(ran.stdout) as {
      files: { path: string; id: string; produced: { job: string; block: string; location: string; run: number; pipeline: string; command: string; environment: string; path: string; lineage: { job: string } }[] }[];
    };
    expect(answer.files).toHaveLength(1);
    const [file] = answer.files;
    expect(file!.id).toMatch(/^sha256x?:[0-9a-f]{64}$/);
    expect(file!.produced.map((p) => [p.job, p.block, p.location, p.run, p.path])).toEqual([['report', 'report', `${rig.path('p.md')}:18:1`, 1, '/data/report.txt']]);
    expect(file!.produced[0]!.pipeline).toBe(rig.path('p.md'));
    expect(file!.produced[0]!.environment).toMatch(/^host:/);
    expect(file!.produced[0]!.lineage.job).toBe('report');
  });

  it('leaves notProduced and entry out of the JSON of a file, made or not: they are a directory\'s, answered entry by entry', async () => {
    rig.write('stranger.txt', 'not from here\n');
    const ran = await rig.shark(['why', '_shark/report.txt', 'stranger.txt', '--json']);
    expect(ran.code).toBe(1);
    const files = (JSON.parse(ran.stdout) as { files: Record<string, unknown>[] }).files;
    expect(files.map((f) => Object.keys(f))).toEqual([['path', 'id', 'produced', 'readBy'], ['path', 'id', 'produced', 'readBy']]);
    expect(files.map((f) => (f['produced'] as Record<string, unknown>[]).map((m) => 'entry' in m))).toEqual([[false], []]);
  });

  it('exits 1 for a file Shark never produced, and says so; 2 for a missing file', async () => {
    rig.write('stranger.txt', 'not from here\n');
    const ran = await rig.shark(['why', 'stranger.txt']);
    expect(ran.code).toBe(1);
    expectGolden('lineage-queries/why-unknown.txt', normalise(ran.stdout + ran.stderr, rig));
    const both = await rig.shark(['why', '_shark/report.txt', 'stranger.txt', '--json']);
    expect(both.code).toBe(1);
    const json = JSON.parse(both.stdout) as { files: { path: string; produced: unknown[] }[] };
    expect(json.files.map((f) => f.produced.length)).toEqual([1, 0]);
    const missing = await rig.shark(['why', 'nowhere.txt']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nowhere.txt');
  });

  it('answers a directory no job wrote whole by its entries: a foreign one is named, and makes the answer no', async () => {
    const report = rig.read('_shark/report.txt');
    rig.write('mix/report.txt', report);
    rig.write('mix/sub/copy.txt', report);
    rig.write('mix/foreign.txt', 'not from shark\n');
    const ran = await rig.shark(['why', 'mix']);
    expect(ran.code, ran.stderr).toBe(1);
    expect(ran.stdout).toMatch(/^ {2}report\.txt: made by report as \/data\/report\.txt, run 1/m);
    expect(ran.stdout).toMatch(/^ {2}sub\/copy\.txt: made by report as \/data\/report\.txt, run 1/m);
    expect(ran.stdout).toMatch(/^ {2}foreign\.txt: not produced by Shark/m);
    const json = await rig.shark(['why', 'mix', '--json']);
    expect(json.code).toBe(1);
    const [answer] = (JSON.parse(json.stdout) as { files: { produced: { job: string; entry: string }[]; notProduced: string[] }[] }).files;
    expect(answer!.produced.map((m) => [m.entry, m.job])).toEqual([['report.txt', 'report'], ['sub/copy.txt', 'report']]);
    expect(answer!.notProduced).toEqual(['foreign.txt']);
    rig.write('known/report.txt', report);
    rig.write('known/sub/copy.txt', report);
    const known = await rig.shark(['why', 'known', '--json']);
    expect(known.code, known.stdout).toBe(0);
    expect((JSON.parse(known.stdout) as { files: { notProduced: string[] }[] }).files[0]!.notProduced).toEqual([]);
  });

  it('finds the store with --store or $SHARK_STORE, and says where it looked when there is none', async () => {
    const elsewhere = new Rig();
    try {
      elsewhere.write('copy.txt', rig.read('_shark/report.txt'));
      const none = await elsewhere.shark(['why', 'copy.txt']);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('no Shark store');
      const flag = await elsewhere.shark(['why', 'copy.txt', '--store', rig.path('.shark')]);
      expect(flag.code).toBe(0);
      expect(flag.stdout).toContain('report');
      const env = await elsewhere.shark(['why', 'copy.txt'], { env: { SHARK_STORE: rig.path('.shark') } });
      expect(env.code).toBe(0);
      expect(elsewhere.exists('.shark')).toBe(false);
    } finally {
      elsewhere.cleanup();
    }
  });

  it('answers a directory of host files jobs only read entry by entry: each not produced, and read by whom', async () => {
    const tiny = tinyRig();
    try {
      expect((await tiny.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
      const ran = await tiny.shark(['why', 'ranges']);
      expect(ran.code).toBe(1);
      expect(ran.stdout).toMatch(/^ {2}a\.txt: not produced by Shark.*\n {4}read by measure\[a\.txt\] \(as \/data\/ranges\/a\.txt\) in run 1/m);
      expect(ran.stdout).toMatch(/^ {2}b\.txt: not produced by Shark.*\n {4}read by measure\[b\.txt\] \(as \/data\/ranges\/b\.txt\) in run 1/m);
      const json = JSON.parse((await tiny.shark(['why', 'ranges', '--json'])).stdout) as { files: { produced: unknown[]; readBy: { job: string; path: string; entry?: string }[]; notProduced: string[] }[] };
      const [answer] = json.files;
      expect(answer!.notProduced).toEqual(['a.txt', 'b.txt']);
      expect(answer!.readBy.map((r) => [r.entry, r.job, r.path])).toEqual([['a.txt', 'measure[a.txt]', '/data/ranges/a.txt'], ['b.txt', 'measure[b.txt]', '/data/ranges/b.txt']]);
      // Beside a file Shark made, the read one keeps its readers.
      tiny.write('mix/report.txt', tiny.read('_shark/report.txt'));
      tiny.write('mix/a.txt', tiny.read('ranges/a.txt'));
      const mixed = await tiny.shark(['why', 'mix']);
      expect(mixed.code).toBe(1);
      expect(mixed.stdout).toMatch(/^ {2}report\.txt: made by report/m);
      expect(mixed.stdout).toMatch(/^ {2}a\.txt: not produced by Shark.*\n {4}read by measure\[a\.txt\]/m);
    } finally {
      tiny.cleanup();
    }
  });

  it('follows a symbolic link named on the command line, unless a job made the link itself', async () => {
    symlinkSync('_shark/report.txt', rig.path('link.txt'));
    const ran = await rig.shark(['why', 'link.txt', '--json']);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    const [answer] = (JSON.parse(ran.stdout) as { files: { id: string; produced: { job: string }[] }[] }).files;
    expect(answer!.id).toMatch(/^sha256:/);
    expect(answer!.produced.map((p) => p.job)).toEqual(['report']);
    rig.write('l.md', '```shark-run {id=mk}\necho hi > /data/t.txt\nln -s t.txt /data/l.txt\n```\n\n```shark-publish:links\n/data/l.txt\n```\n');
    expect((await rig.shark(['run', 'l.md'])).code).toBe(0);
    const made = JSON.parse((await rig.shark(['why', 'links/l.txt', '--json'])).stdout) as { files: { id: string; produced: { job: string }[] }[] };
    expect(made.files.map((f) => [f.id, f.produced.map((p) => p.job)])).toEqual([['link:t.txt', ['mk.2']]]);
    symlinkSync('nowhere', rig.path('dangling'));
    const dangling = await rig.shark(['why', 'dangling']);
    expect(dangling.code).toBe(1);
    expect(dangling.stdout).toContain('dangling  link:nowhere');
  });

  it('hashes a local directory as an import of it does, following the links that lead out of it', async () => {
    const own = new Rig();
    try {
      own.write('drive/big.csv', 'big\n');
      own.write('data/local.txt', 'local\n');
      symlinkSync('../drive/big.csv', own.path('data/big.csv'));
      own.write('p.md', '# H\n\n```shark-import\ndata/ /data/in/\n```\n');
      expect((await own.shark(['run', 'p.md'])).code).toBe(0);
      const plan = await own.plan('p.md');
      expect(plan.jobs.map((j) => j.status)).toEqual(['cached']);
      const ran = await own.shark(['why', 'data/', '--json']);
      expect([ran.code, ran.stderr]).toEqual([0, '']);
      const [answer] = (JSON.parse(ran.stdout) as { files: { produced: { job: string }[]; notProduced: string[] }[] }).files;
      expect(answer!.produced.map((p) => p.job)).toEqual(['h']);
      // Written whole by the import: not answered entry by entry, so no list of files no job made.
      expect(answer!.notProduced).toBeUndefined();
    } finally {
      own.cleanup();
    }
  });
});
