import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileImporter } from '../../src/imports/file-importer.js';
import { clause, context, readTree, scratch } from './helpers.js';

const files = new FileImporter();
let tmp: ReturnType<typeof scratch>;
beforeEach(() => {
  tmp = scratch();
  mkdirSync(join(tmp.dir, 'src/nested'), { recursive: true });
  writeFileSync(join(tmp.dir, 'src/a.txt'), 'A');
  writeFileSync(join(tmp.dir, 'src/nested/b.txt'), 'B');
  mkdirSync(join(tmp.dir, 'project'));
});
afterEach(() => tmp.cleanup());

describe('a local import with extract', () => {
  it.each(['tar.gz', 'zip'])('unpacks a local .%s into DEST/, by path or file: source', async (kind) => {
    const archive = join(tmp.dir, 'project', `bundle.${kind}`);
    if (kind === 'zip') execFileSync('zip', ['-qr', archive, '.'], { cwd: join(tmp.dir, 'src') });
    else execFileSync('tar', ['-czf', archive, '-C', join(tmp.dir, 'src'), '.']);
    for (const source of [`bundle.${kind}`, `file:${archive}`]) {
      const c = clause(`${source} /data/bundle/ extract`);
      const ctx = context({ dir: join(tmp.dir, 'project') });
      const pinned = await files.resolve(c, ctx);
      if (!pinned.ok) throw new Error(pinned.message);
      const dest = join(tmp.dir, 'out', source.startsWith('file:') ? 'by-url' : 'by-path');
      const r = await files.fetch(c, pinned.pin, dest, ctx);
      if (!r.ok) throw new Error(r.message);
      expect(readTree(dest)).toEqual({ 'a.txt': 'A', 'nested/b.txt': 'B' });
    }
    expect(readdirSync(join(tmp.dir, 'out')).sort()).toEqual(['by-path', 'by-url']);
  });

  it('refuses what is not an archive, and a directory, leaving nothing', async () => {
    writeFileSync(join(tmp.dir, 'project', 'plain.txt'), 'text');
    const ctx = context({ dir: join(tmp.dir, 'project') });
    const dest = join(tmp.dir, 'out', 'x');
    expect(await files.fetch(clause('plain.txt /data/x/ extract'), {}, dest, ctx)).toEqual({ ok: false, message: 'cannot extract plain.txt: it is not a .zip, .tar.gz, .tgz or .tar archive' });
    expect(await files.fetch(clause(`file:${join(tmp.dir, 'src')} /data/x/ extract`), {}, dest, ctx)).toEqual({ ok: false, message: `cannot extract ${join(tmp.dir, 'src')}: it is a directory, not an archive` });
    expect(readdirSync(join(tmp.dir, 'out'))).toEqual([]);
  });

  it('refuses a local archive with a member that escapes', async () => {
    execFileSync('ln', ['-s', '/etc/passwd', join(tmp.dir, 'src', 'passwd')]);
    const archive = join(tmp.dir, 'project', 'bad.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', join(tmp.dir, 'src'), '.']);
    const r = await files.fetch(clause('bad.tar.gz /data/x/ extract'), {}, join(tmp.dir, 'out', 'x'), context({ dir: join(tmp.dir, 'project') }));
    expect(r).toEqual({ ok: false, message: 'refusing to extract bad.tar.gz: member `./passwd` is a symbolic link to `/etc/passwd`, outside the destination; nothing was extracted' });
    expect(readdirSync(join(tmp.dir, 'out'))).toEqual([]);
  });
  it('refuses a small gzipped file that holds no tar (tar unpacks it as nothing), and takes an empty tar, plain or gzipped', async () => {
    const project = join(tmp.dir, 'project');
    writeFileSync(join(project, 'counts.csv.gz'), gzipSync('a,b\n1,2\n'));
    writeFileSync(join(project, 'empty.tar'), Buffer.alloc(10240));
    writeFileSync(join(project, 'empty.tar.gz'), gzipSync(Buffer.alloc(10240)));
    const ctx = context({ dir: project });
    const r = await files.fetch(clause('counts.csv.gz /data/x/ extract'), {}, join(tmp.dir, 'out', 'x'), ctx);
    expect(r).toEqual({ ok: false, message: 'cannot extract counts.csv.gz: it is not a .zip, .tar.gz, .tgz or .tar archive' });
    expect(readdirSync(join(tmp.dir, 'out'))).toEqual([]);
    for (const name of ['empty.tar', 'empty.tar.gz']) {
      const dest = join(tmp.dir, 'out', name);
      mkdirSync(dest);
      const e = await files.fetch(clause(`${name} /data/x/ extract`), {}, dest, ctx);
      expect(e.ok, name).toBe(true);
      expect(readdirSync(dest)).toEqual([]);
    }
  });
});
