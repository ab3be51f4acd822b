import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UrlImporter } from '../../src/imports/url.js';
import { FakeServer } from './fake-server.js';
import { clause, context, readTree, scratch } from './helpers.js';

type Member = { name: string; file?: string; symlink?: string; hardlink?: string; mode?: number };

/** Builds a real archive with python3's tarfile or zipfile, which write hostile members as given. */
function archive(dir: string, kind: 'tar.gz' | 'zip', members: Member[]): Buffer {
  const out = join(dir, `hostile.${kind}`);
  const script = `
import io, json, stat, sys, tarfile, warnings, zipfile
warnings.simplefilter('ignore')
kind, out, members = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if kind == 'zip':
    with zipfile.ZipFile(out, 'w') as z:
        for m in members:
            zi = zipfile.ZipInfo(m['name']); zi.create_system = 3
            if 'symlink' in m:
                zi.external_attr = (stat.S_IFLNK | 0o777) << 16; z.writestr(zi, m['symlink'])
            elif 'mode' in m:
                zi.external_attr = m['mode'] << 16; z.writestr(zi, '')
            else:
                zi.external_attr = (stat.S_IFREG | 0o644) << 16; z.writestr(zi, m.get('file', ''))
else:
    with tarfile.open(out, 'w:gz') as t:
        for m in members:
            ti = tarfile.TarInfo(m['name'])
            if 'symlink' in m: ti.type, ti.linkname = tarfile.SYMTYPE, m['symlink']; t.addfile(ti)
            elif 'hardlink' in m: ti.type, ti.linkname = tarfile.LNKTYPE, m['hardlink']; t.addfile(ti)
            else:
                data = m.get('file', '').encode(); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
`;
  execFileSync('python3', ['-c', script, kind, out, JSON.stringify(members)]);
  return readFileSync(out);
}

let server: FakeServer;
let tmp: ReturnType<typeof scratch>;
let work: ReturnType<typeof scratch>;
const urls = new UrlImporter({ backoffMs: 5, timeoutMs: 2000 });

beforeAll(async () => (server = await FakeServer.start()));
afterAll(() => server.close());
beforeEach(() => {
  tmp = scratch();
  work = scratch();
  server.reset();
});
afterEach(() => (tmp.cleanup(), work.cleanup()));

/** Imports the archive with `extract` through the https importer, into tmp.dir/out. */
async function importArchive(kind: 'tar.gz' | 'zip', members: Member[]) {
  const url = server.file(`/files/hostile.${kind}`, archive(work.dir, kind, members));
  return urls.fetch(clause(`${url} /data/out/ extract`), {}, join(tmp.dir, 'out'), context());
}

const OK = { name: 'fine.txt', file: 'fine' };
const HOSTILE: [string, 'tar.gz' | 'zip', Member[], string][] = [
  ['an absolute name', 'tar.gz', [OK, { name: '/tmp/shark-pwned.txt', file: 'x' }], 'member `/tmp/shark-pwned.txt` would land outside the destination (its path is absolute)'],
  ['a `..` name', 'tar.gz', [OK, { name: 'a/../../up.txt', file: 'x' }], 'member `a/../../up.txt` would land outside the destination (its path climbs out with `..`)'],
  ['a symbolic link to an absolute path', 'tar.gz', [OK, { name: 'passwd', symlink: '/etc/passwd' }], 'member `passwd` is a symbolic link to `/etc/passwd`, outside the destination'],
  ['a symbolic link climbing out', 'tar.gz', [OK, { name: 'd/up', symlink: '../../secret' }], 'member `d/up` is a symbolic link to `../../secret`, outside the destination'],
  ['a hard link to an absolute path', 'tar.gz', [OK, { name: 'hl', hardlink: '/etc/passwd' }], 'member `hl` is a hard link to `/etc/passwd`, outside the destination'],
  ['a hard link climbing out', 'tar.gz', [OK, { name: 'hl', hardlink: '../outside' }], 'member `hl` is a hard link to `../outside`, outside the destination'],
  // Each link alone looks inside; followed on disk, `x/y/..` is the parent of the destination.
  ['links that escape only together', 'tar.gz', [OK, { name: 'x/y', symlink: '..' }, { name: 'z', symlink: 'x/y/..' }], 'member `z` is a symbolic link to `x/y/..`, outside the destination'],
  // Said by Shark, not in tar's words (`Cannot hard link to 'nothere.txt'`, `Cannot open: Not a directory`).
  ['a hard link to no member before it', 'tar.gz', [OK, { name: 'h', hardlink: 'nothere.txt' }], 'member `h` is a hard link to `nothere.txt`, which no member before it is'],
  ['a member under a file member', 'tar.gz', [OK, { name: 'a', file: 'x' }, { name: 'a/b', file: 'y' }], 'member `a/b` would land inside member `a`, which is no directory (a file, or a link: no member is written through a link)'],
  ['a file member where an earlier one needs a directory', 'tar.gz', [OK, { name: 'a/b', file: 'y' }, { name: 'a', file: 'x' }], 'member `a` is a file where member `a/b` needs a directory'],
  ['a zip member under a file member', 'zip', [OK, { name: 'a', file: 'x' }, { name: 'a/b', file: 'y' }], 'member `a/b` would land inside member `a`, which is no directory (a file, or a link: no member is written through a link)'],
  ['a zip member with an absolute name', 'zip', [OK, { name: '/tmp/shark-pwned.txt', file: 'x' }], 'member `/tmp/shark-pwned.txt` would land outside the destination (its path is absolute)'],
  ['a zip member with `..`', 'zip', [OK, { name: '../up.txt', file: 'x' }], 'member `../up.txt` would land outside the destination (its path climbs out with `..`)'],
  ['a zip symbolic link to an absolute path', 'zip', [OK, { name: 'passwd', symlink: '/etc/passwd' }], 'member `passwd` is a symbolic link to `/etc/passwd`, outside the destination'],
  ['a zip symbolic link climbing out', 'zip', [OK, { name: 'd/up', symlink: '../../secret' }], 'member `d/up` is a symbolic link to `../../secret`, outside the destination'],
];

describe('archives with members that escape the destination', () => {
  it.each(HOSTILE)('refuses %s (%s), naming the member, and leaves nothing extracted', async (_, kind, members, detail) => {
    const r = await importArchive(kind, members);
    expect(r).toEqual({ ok: false, message: `refusing to extract hostile.${kind}: ${detail}; nothing was extracted` });
    expect(readdirSync(tmp.dir)).toEqual([]);
    expect(existsSync('/tmp/shark-pwned.txt')).toBe(false);
  });

  it('refuses a zip whose link would be written through by a later member', async () => {
    const r = await importArchive('zip', [{ name: 'evil', symlink: work.dir }, { name: 'evil/planted.txt', file: 'x' }]);
    // unzip stops at the member under the link: what it unpacked so far names the link.
    expect(r).toEqual({ ok: false, message: `refusing to extract hostile.zip: member \`evil\` is a symbolic link to \`${work.dir}\`, outside the destination; nothing was extracted` });
    expect(existsSync(join(work.dir, 'planted.txt'))).toBe(false);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});

describe('an archive the tool cannot unpack', () => {
  it('is said in the tool\'s words about its members, without Shark\'s private directory (a zip link to a directory inside, then a member under it)', async () => {
    const r = await importArchive('zip', [{ name: 'real/a', file: 'a' }, { name: 'l', symlink: 'real' }, { name: 'l/f.txt', file: 'f' }]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^cannot extract hostile\.zip: unzip -q failed \(exit \d+\): .*l exists but is not directory/);
    expect(!r.ok && r.message).not.toMatch(/unpack-|\.shark|\/tmp\//);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});

describe('archive member names', () => {
  it('are kept exactly when they hold control characters (zip, as tar)', async () => {
    const names = ['ab.txt', 'a\tb.txt', 'e\x1b[2J.csv', 'n\nl.txt', '.\t./.\t./x'];
    for (const kind of ['zip', 'tar.gz'] as const) {
      const r = await importArchive(kind, names.map((name) => ({ name, file: name })));
      if (!r.ok) throw new Error(r.message);
      expect(readTree(join(tmp.dir, 'out'))).toEqual(Object.fromEntries(names.map((n) => [n, n])));
      tmp.cleanup();
      tmp = scratch();
    }
  });

  it.each(['zip', 'tar.gz'] as const)('that land on one path refuse the archive, naming both members (%s)', async (kind) => {
    const r = await importArchive(kind, [{ name: 'ab.txt', file: 'real' }, { name: 'd/x', file: '1' }, { name: 'd//./x', file: '2' }]);
    expect(r).toEqual({ ok: false, message: `refusing to extract hostile.${kind}: member \`d//./x\` would be the same file as member \`d/x\`; nothing was extracted` });
    const same = await importArchive(kind, [{ name: 'ab.txt', file: 'real' }, { name: 'ab.txt', file: 'again' }]);
    expect(same).toEqual({ ok: false, message: `refusing to extract hostile.${kind}: member \`ab.txt\` would be the same file as member \`ab.txt\`; nothing was extracted` });
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it.each([['a FIFO', 0o010644], ['a device', 0o020644], ['a socket', 0o140644]])('refuse a zip member marked as %s', async (_, mode) => {
    const r = await importArchive('zip', [OK, { name: 'ff', mode }]);
    expect(r).toEqual({ ok: false, message: 'refusing to extract hostile.zip: member `ff` is not a file, a directory or a link (a device, pipe or socket); nothing was extracted' });
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});

describe('a damaged archive', () => {
  it.each([
    ['tar', "h = tarfile.TarInfo('big'); h.size = 10**11; data = h.tobuf(format=tarfile.GNU_FORMAT) + b'x' * 1024"],
    ['zip', "b = io.BytesIO(); z = zipfile.ZipFile(b, 'w'); z.writestr('a.txt', 'A' * 100); z.close(); data = b.getvalue()[:-30]"],
  ])('is said to be truncated or damaged (%s)', async (kind, make) => {
    const file = join(work.dir, `bad.${kind}`);
    execFileSync('python3', ['-c', `import io, sys, tarfile, zipfile\n${make}\nopen(sys.argv[1], 'wb').write(data)`, file]);
    const url = server.file(`/files/bad.${kind}`, readFileSync(file));
    const r = await urls.fetch(clause(`${url} /data/out/ extract`), {}, join(tmp.dir, 'out'), context());
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(new RegExp(`^cannot extract bad\\.${kind}: it is truncated or damaged`));
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});

describe('archives whose links stay inside', () => {
  it.each(['tar.gz', 'zip'] as const)('keep the links as links (%s)', async (kind) => {
    const r = await importArchive(kind, [
      { name: 'data/b.txt', file: 'B' },
      { name: 'data/again', symlink: 'b.txt' },
      { name: 'top', symlink: 'data/../data/b.txt' },
      { name: 'dir-link', symlink: 'data' },
    ]);
    if (!r.ok) throw new Error(r.message);
    const out = join(tmp.dir, 'out');
    expect(lstatSync(join(out, 'data/again')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'data/again'))).toBe('b.txt');
    expect(readFileSync(join(out, 'top'), 'utf8')).toBe('B');
    expect(readlinkSync(join(out, 'dir-link'))).toBe('data');
    expect(readdirSync(tmp.dir)).toEqual(['out']);
  });

  it('keep hard links between members (tar)', async () => {
    const r = await importArchive('tar.gz', [{ name: 'a.txt', file: 'A' }, { name: 'b.txt', hardlink: 'a.txt' }]);
    if (!r.ok) throw new Error(r.message);
    expect(readFileSync(join(tmp.dir, 'out', 'b.txt'), 'utf8')).toBe('A');
  });
});

describe('a hard link out of the destination found on disk', () => {
  it('is refused even when the listing could not show it', async () => {
    // escapingEntry is the last line of defence: a file sharing its inode with one outside.
    const { escapingEntry } = await import('../../src/imports/contained.js');
    const root = join(work.dir, 'root');
    execFileSync('mkdir', ['-p', root]);
    writeFileSync(join(work.dir, 'outside.txt'), 'secret');
    execFileSync('ln', [join(work.dir, 'outside.txt'), join(root, 'inside.txt')]);
    expect(escapingEntry(root)).toEqual({ path: 'inside.txt', why: 'is a hard link to a file outside the destination' });
  });
});
