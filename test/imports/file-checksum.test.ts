import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileImporter } from '../../src/imports/file-importer.js';
import { Rig } from '../support/rig.js';
import { clause, context, scratch } from './helpers.js';

/** A local import's checksum column is checked as a download's is: before anything reaches DEST. */

const files = new FileImporter();
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const ZERO_MD5 = '0'.repeat(32);
const ZERO_SHA = '0'.repeat(64);

let tmp: ReturnType<typeof scratch>;
beforeEach(() => {
  tmp = scratch();
  writeFileSync(join(tmp.dir, 'h.txt'), 'hello\n');
  mkdirSync(join(tmp.dir, 'in'));
  writeFileSync(join(tmp.dir, 'in', 'a.txt'), '1\n');
});
afterEach(() => tmp.cleanup());

describe('a local import with a checksum', () => {
  it.each([
    ['h.txt', 'md5', ZERO_MD5, md5('hello\n')],
    ['file:h.txt', 'md5', ZERO_MD5, md5('hello\n')],
    ['h.txt', 'sha256', ZERO_SHA, sha256('hello\n')],
  ])('%s with a wrong %s fails with both checksums', async (source, algorithm, wrong, right) => {
    const r = await files.resolve(clause(`${source} /data/x.txt ${algorithm}:${wrong}`), context({ dir: tmp.dir }));
    expect(r).toEqual({ ok: false, message: `checksum mismatch for h.txt: expected ${algorithm}:${wrong} (the import clause), got ${algorithm}:${right}` });
  });

  it('passes with the right checksum, md5 or sha256', async () => {
    for (const sum of [`md5:${md5('hello\n')}`, `sha256:${sha256('hello\n').toUpperCase()}`]) {
      const r = await files.resolve(clause(`h.txt /data/x.txt ${sum}`), context({ dir: tmp.dir }));
      expect(r).toEqual({ ok: true, pin: { path: 'h.txt', sha256: sha256('hello\n') } });
    }
  });

  it('refuses a checksum on a directory', async () => {
    const r = await files.resolve(clause(`in/ /data/in/ md5:${ZERO_MD5}`), context({ dir: tmp.dir }));
    expect(r).toEqual({ ok: false, message: 'a checksum pins one file; in/ is a directory' });
  });
});

describe('a local import with a wrong checksum through shark', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig('shark-file-checksum-')));
  afterEach(() => rig.cleanup());

  it('fails the run at the clause (exit 1), imports nothing, and plan says why', async () => {
    rig.write('h.txt', 'hello\n');
    rig.write('b2.md', '```shark-import\nh.txt /data/x.txt md5:' + ZERO_MD5 + '\n```\n\n```shark-run\necho used >> counter; cat /data/x.txt > /data/y.txt\n```\n');
    const ran = await rig.shark(['run', 'b2.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout + ran.stderr).toContain(`b2.md:2:1: error: checksum mismatch for h.txt: expected md5:${ZERO_MD5} (the import clause), got md5:${md5('hello\n')}`);
    expect(rig.count()).toBe(0);
    const plan = await rig.plan('b2.md');
    expect(plan.jobs[0]!.reasons.join(' ')).toContain('checksum mismatch for h.txt');
  });
});

describe('a local file imported into a directory', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig('shark-file-into-dir-')));
  afterEach(() => rig.cleanup());

  it('lands inside it under its own name (DEST with a trailing slash), as a download does', async () => {
    rig.write('h.txt', 'hello\n');
    rig.write('i.md', '```shark-import\nh.txt /data/d/\n```\n\n```shark-run\ncat /data/d/h.txt > /data/c.txt\n```\n\n```shark-publish\n/data/c.txt\n```\n');
    const ran = await rig.shark(['run', 'i.md']);
    expect(ran.code).toBe(0);
    expect(rig.read('_shark/c.txt')).toBe('hello\n');
  });
});
