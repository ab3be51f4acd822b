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

  it('export crate -o onto a file is one line and exit 2, leaving the file alone', async () => {
    rig.write('f', 'mine\n');
    oneLineError(await rig.shark(['export', 'crate', 'p.md', '-o', 'f']), /f exists and is not a directory/);
    expect(rig.read('f')).toBe('mine\n');
  });
});
