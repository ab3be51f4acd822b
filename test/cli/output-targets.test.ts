import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, type Ran } from '../support/rig.js';

const PIPELINE = '# o\n\n```shark-run\necho made >> counter; echo hi > /data/a.txt\n```\n';

/** A usage error as users should see it: one line, exit 2, no stack. */
function oneLineError(ran: Ran, pattern: RegExp): void {
  expect(ran.stderr).toMatch(/^shark: error: [^\n]*\n$/);
  expect(ran.stderr).toMatch(pattern);
  expect(ran.code).toBe(2);
}

describe('-o of export and run: a path that cannot take the output, or holds what the pipeline needs', () => {
  let rig: Rig;
  let db: Buffer;
  beforeEach(async () => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    db = readFileSync(rig.path('.shark/shark.sqlite'));
  });
  afterEach(() => rig.cleanup());

  it('export prov -o into a missing directory, or onto a directory, is one line and exit 2, writing nothing', async () => {
    oneLineError(await rig.shark(['export', 'prov', 'p.md', '-o', rig.path('nonexistent/x.json')]), /nonexistent/);
    expect(rig.exists('nonexistent')).toBe(false);
    mkdirSync(rig.path('empty'));
    oneLineError(await rig.shark(['export', 'prov', 'p.md', '-o', 'empty']), /empty: it is a directory/);
    expect(readdirSync(rig.path('empty'))).toEqual([]);
    expect(readdirSync(rig.dir).sort()).toEqual(['.shark', 'counter', 'empty', 'p.md']);
    expect((await rig.shark(['export', 'prov', 'p.md', '-o', 'prov.json'])).code).toBe(0);
    expect(JSON.parse(rig.read('prov.json'))).toHaveProperty('activity');
  });

  it('export prov -o - writes to standard output, as curl -o - and tar -f - do, and run -o - is refused (a file named - was made)', async () => {
    const out = await rig.shark(['export', 'prov', 'p.md', '-o', '-']);
    expect([out.code, out.stderr]).toEqual([0, '']);
    expect(JSON.parse(out.stdout)).toHaveProperty('activity');
    expect(rig.exists('-')).toBe(false);
    oneLineError(await rig.shark(['run', 'p.md', '-o', '-']), /-o -: the run's progress is on standard output; name a file for the executed document/);
    expect(rig.exists('-')).toBe(false);
  });

  it('export crate -o - is refused, as run -o - is: a crate is a directory, never standard output (a directory named - was made)', async () => {
    oneLineError(await rig.shark(['export', 'crate', 'p.md', '-o', '-']), /-o -: a crate is a directory, not a stream; name the directory \(\.\/- for one named -\)/);
    expect(rig.exists('-')).toBe(false);
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', './-'])).code).toBe(0);
    expect(rig.exists('-/ro-crate-metadata.json')).toBe(true);
  });

  it('export crate -o onto a file is one line and exit 2, leaving the file alone', async () => {
    rig.write('f', 'mine\n');
    oneLineError(await rig.shark(['export', 'crate', 'p.md', '-o', 'f']), /f exists and is not a directory/);
    expect(rig.read('f')).toBe('mine\n');
  });

  it('export crate -o names a directory holding an escape sequence escaped, written or refused: its bytes reached the terminal', async () => {
    const made = await rig.shark(['export', 'crate', 'p.md', '-o', 'c\x1b[31m']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^"c\\u001b\[31m": run 1, 1 job, \d+ entities\n$/);
    rig.write('f\x1b[1m', '');
    oneLineError(await rig.shark(['export', 'crate', 'p.md', '-o', 'f\x1b[1m/x']), /^shark: error: cannot write the crate into "f\\u001b\[1m\/x": /);
    oneLineError(await rig.shark(['export', 'crate', 'p.md', '-o', '.shark/c\x1b[1m']), /^shark: error: will not write the crate to "\.shark\/c\\u001b\[1m": /);
  });

  it('export prov -o refuses the document, the store database and anything in the store, even through a link', async () => {
    oneLineError(await rig.shark(['export', 'prov', 'p.md', '-o', 'p.md']), /p\.md: it is the pipeline document/);
    oneLineError(await rig.shark(['export', 'prov', 'p.md', '-o', '.shark/shark.sqlite']), /it is inside the store/);
    oneLineError(await rig.shark(['export', 'prov', 'p.md', '-o', rig.path('.shark/new.json')]), /it is inside the store/);
    symlinkSync('.shark', rig.path('s'));
    oneLineError(await rig.shark(['export', 'prov', 'p.md', '-o', 's/shark.sqlite']), /it is inside the store/);
    // A link at the target itself is replaced, never written through.
    symlinkSync('.shark/shark.sqlite', rig.path('link.json'));
    expect((await rig.shark(['export', 'prov', 'p.md', '-o', 'link.json'])).code).toBe(0);
    expect(rig.read('p.md')).toBe(PIPELINE);
    expect(readFileSync(rig.path('.shark/shark.sqlite')).equals(db)).toBe(true);
    expect((await rig.shark(['runs', 'p.md'])).code).toBe(0);
  });

  // The crate was built in `.NAME-` and 12 hex digits beside it: a name of 250 characters, which a
  // directory may have, was refused with Node's ENAMETOOLONG naming that hidden folder.
  it('export crate -o takes a directory name as long as a file system allows', async () => {
    const name = 'c'.repeat(250);
    const made = await rig.shark(['export', 'crate', 'p.md', '-o', name]);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(readdirSync(rig.path(name))).toContain('ro-crate-metadata.json');
    expect(readdirSync(rig.dir).sort()).toEqual(['.shark', name, 'counter', 'p.md']);
  });

  it('export crate -o refuses a place in the store', async () => {
    oneLineError(await rig.shark(['export', 'crate', 'p.md', '-o', '.shark/crate']), /it is inside the store/);
    expect(rig.exists('.shark/crate')).toBe(false);
    expect(readdirSync(rig.path('.shark')).filter((n) => n.includes('crate'))).toEqual([]);
  });

  it('run -o refuses the document and the store before running anything', async () => {
    rig.write('p.md', PIPELINE.replace('hi', 'ho'));
    oneLineError(await rig.shark(['run', 'p.md', '-o', '.shark/shark.sqlite']), /it is inside the store/);
    oneLineError(await rig.shark(['run', 'p.md', '-o', 'p.md']), /it is the pipeline document/);
    oneLineError(await rig.shark(['run', 'p.md', '-o', rig.path('nonexistent/run.md')]), /nonexistent/);
    expect(rig.count()).toBe(1);
    expect((await rig.shark(['runs', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '-o', 'run.md'])).code).toBe(0);
    expect(rig.read('run.md')).toContain('shark: o, run 2');
  });
});
