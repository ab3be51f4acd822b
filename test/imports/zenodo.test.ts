import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZenodoImporter } from '../../src/imports/zenodo.js';
import { treeId } from '../../src/imports/tree-hash.js';
import { FakeServer } from './fake-server.js';
import { clause, context, readTree, scratch } from './helpers.js';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const FAST = { backoffMs: 5, timeoutMs: 2000 };

let server: FakeServer;
let tmp: ReturnType<typeof scratch>;
let zenodo: ZenodoImporter;
const CSV = 'id,value\n' + Array.from({ length: 5000 }, (_, i) => `${i},${i * i}`).join('\n') + '\n';
let paths: Record<string, string>;

beforeAll(async () => {
  server = await FakeServer.start();
  paths = server.record('1001', { 'data.csv': CSV, 'README.md': '# readme\n' });
  zenodo = new ZenodoImporter(server.zenodoUrl, FAST);
});
afterAll(() => server.close());
beforeEach(() => {
  tmp = scratch();
  server.reset();
  server.ranges = true;
});
afterEach(() => tmp.cleanup());

describe('zenodo:RECORD/FILE', () => {
  it('resolves through the records API and downloads the verified file', async () => {
    const c = clause('zenodo:1001/data.csv /data/raw.csv');
    const ctx = context();
    const resolved = await zenodo.resolve(c, ctx);
    expect(resolved).toEqual({
      ok: true,
      pin: { source: 'zenodo', doi: '10.5281/zenodo.1001', record: '1001', file: 'data.csv', size: CSV.length, md5: md5(CSV) },
    });
    expect(server.count('/zenodo/api/records/1001/files')).toBe(0);
    const dest = join(tmp.dir, 'data/raw.csv');
    const fetched = await zenodo.fetch(c, resolved.ok ? resolved.pin : {}, dest, ctx);
    expect(fetched).toEqual({ ok: true, pin: { ...(resolved.ok ? resolved.pin : {}), sha256: sha256(CSV) } });
    expect(readFileSync(dest, 'utf8')).toBe(CSV);
    expect(ctx.reports.at(-1)).toEqual([CSV.length, CSV.length]);
    expect(readdirSync(join(tmp.dir, 'data'))).toEqual(['raw.csv']);
  });

  it('accepts the zenodo.org file URL form', async () => {
    const c = clause('https://zenodo.org/records/1001/files/README.md /data/r.md');
    const r = await zenodo.resolve(c, context());
    expect(r.ok && r.pin.file).toBe('README.md');
  });

  it('puts the file inside DEST/ when the destination is a directory', async () => {
    const c = clause('zenodo:1001/README.md /data/docs/');
    const dest = join(tmp.dir, 'docs');
    const r = await zenodo.fetch(c, {}, dest, context());
    expect(r.ok).toBe(true);
    expect(readTree(dest)).toEqual({ 'README.md': '# readme\n' });
  });

  it('trusts a locked pin of a record id without any request', async () => {
    const c = clause('zenodo:1001/data.csv /data/raw.csv');
    const fetched = await zenodo.fetch(c, {}, join(tmp.dir, 'a'), context());
    if (!fetched.ok) throw new Error(fetched.message);
    server.reset();
    const again = await zenodo.resolve(c, context({ locked: fetched.pin }));
    expect(again).toEqual({ ok: true, pin: fetched.pin });
    expect(server.requests).toEqual([]);
  });

  it('does not trust a lock that no longer matches the clause', async () => {
    const c = clause('zenodo:1001/data.csv /data/raw.csv');
    const stale = { source: 'zenodo', doi: 'x', record: '1001', file: 'other.csv', size: 1, md5: 'x', sha256: 'y' };
    const r = await zenodo.resolve(c, context({ locked: stale }));
    expect(r.ok && r.pin.file).toBe('data.csv');
    expect(server.count('/zenodo/api/records/1001')).toBe(1);
  });

  it('names an unknown record and an unknown file', async () => {
    const none = await zenodo.resolve(clause('zenodo:999/x.csv /data/x'), context());
    expect(none).toEqual({ ok: false, message: `Zenodo record 999 does not exist (HTTP 404 from ${server.zenodoUrl}/api/records/999)` });
    const file = await zenodo.resolve(clause('zenodo:1001/nope.csv /data/x'), context());
    expect(file).toEqual({ ok: false, message: 'Zenodo record 1001 has no file `nope.csv` (it has README.md, data.csv)' });
  });

  it('refuses a record id that is not one, rather than show it', async () => {
    server.record('1008', { 'a.csv': 'a' });
    (server as unknown as { records: Map<string, { id: unknown }> }).records.get('1008')!.id = '1008\x1b[2J';
    const r = await zenodo.resolve(clause('zenodo:1008/a.csv /data/a.csv'), context());
    expect(r).toEqual({ ok: false, message: 'Zenodo answered for record 1008 with the record id "1008\\u001b[2J", which is not one' });
  });

  it('fails a tampered file with both checksums and leaves nothing behind', async () => {
    server.record('1002', { 'data.csv': CSV });
    const p = `/zenodo/api/records/1002/files/data.csv/content`;
    server.tamper(p, CSV.replace('4999', '4998'));
    const c = clause('zenodo:1002/data.csv /data/raw.csv');
    const dest = join(tmp.dir, 'data/raw.csv');
    const r = await zenodo.fetch(c, {}, dest, context());
    const got = md5(CSV.replace('4999', '4998'));
    expect(r).toEqual({ ok: false, message: `checksum mismatch for data.csv in Zenodo record 1002: expected md5:${md5(CSV)} (Zenodo), got md5:${got}` });
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(join(tmp.dir, 'data'))).toEqual([]);
  });

  it.each([
    ['more bytes', CSV + 'extra\n', `the server announced ${CSV.length + 6}`],
    ['fewer bytes', CSV.slice(0, 100), 'got 100'],
  ])('fails a file of %s than the record gives, naming both sizes, and leaves nothing behind', async (_, bytes, got) => {
    server.record('1012', { 'data.csv': CSV });
    server.tamper('/zenodo/api/records/1012/files/data.csv/content', bytes);
    const dest = join(tmp.dir, 'data/raw.csv');
    const r = await zenodo.fetch(clause('zenodo:1012/data.csv /data/raw.csv'), {}, dest, context());
    expect(r).toEqual({ ok: false, message: `size mismatch for data.csv in Zenodo record 1012: expected ${CSV.length} bytes (Zenodo), ${got}` });
    expect(readdirSync(join(tmp.dir, 'data'))).toEqual([]);
    expect(server.count('/zenodo/api/records/1012/files/')).toBe(1);
  });

  it('stops a download that never ends as soon as it passes the size the record gives', async () => {
    server.record('1013', { 'data.csv': CSV });
    server.neverEnding('/zenodo/api/records/1013/files/data.csv/content');
    const dest = join(tmp.dir, 'data/raw.csv');
    const r = await zenodo.fetch(clause('zenodo:1013/data.csv /data/raw.csv'), {}, dest, context());
    expect(r.ok).toBe(false);
    const stopped = /^size mismatch for data\.csv in Zenodo record 1013: expected (\d+) bytes \(Zenodo\), got more than that \(stopped after (\d+) bytes\)$/.exec(r.ok ? '' : r.message);
    expect(stopped, r.ok ? '' : r.message).not.toBeNull();
    expect(Number(stopped![1])).toBe(CSV.length);
    expect(Number(stopped![2])).toBeLessThan(CSV.length * 2 + (1 << 20));
    expect(readdirSync(join(tmp.dir, 'data'))).toEqual([]);
    // A whole record stops alike, at the file that overflows.
    const whole = await zenodo.fetch(clause('zenodo:1013 /data/rec/'), {}, join(tmp.dir, 'rec'), context());
    expect(whole.ok ? '' : whole.message).toMatch(/^size mismatch for data\.csv in Zenodo record 1013: expected \d+ bytes \(Zenodo\), got more than that/);
    expect(existsSync(join(tmp.dir, 'rec'))).toBe(false);
  });

  it('checks the clause checksum too', async () => {
    const wrong = '0'.repeat(64);
    const r = await zenodo.fetch(clause(`zenodo:1001/data.csv /data/raw.csv sha256:${wrong}`), {}, join(tmp.dir, 'x'), context());
    expect(r).toEqual({ ok: false, message: `checksum mismatch for data.csv in Zenodo record 1001: expected sha256:${wrong} (the import clause), got sha256:${sha256(CSV)}` });
  });

  it('resumes with Range after a dropped connection', async () => {
    server.dropOnce(paths['data.csv']!, 10_000);
    const dest = join(tmp.dir, 'raw.csv');
    const r = await zenodo.fetch(clause('zenodo:1001/data.csv /data/raw.csv'), {}, dest, context());
    expect(r.ok).toBe(true);
    expect(readFileSync(dest, 'utf8')).toBe(CSV);
    const gets = server.requests.filter((q) => q.path === paths['data.csv']);
    expect(gets.map((q) => q.headers.range)).toEqual([undefined, 'bytes=10000-']);
    expect(gets[1]!.headers['if-range']).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('restarts the download when the server does not do ranges', async () => {
    server.ranges = false;
    server.dropOnce(paths['data.csv']!, 10_000);
    const dest = join(tmp.dir, 'raw.csv');
    const r = await zenodo.fetch(clause('zenodo:1001/data.csv /data/raw.csv'), {}, dest, context());
    expect(r.ok).toBe(true);
    expect(readFileSync(dest, 'utf8')).toBe(CSV);
    expect(server.requests.filter((q) => q.path === paths['data.csv']).map((q) => q.headers.range)).toEqual([undefined, undefined]);
  });

  it('retries 5xx answers with backoff, then gives up with a clear message', async () => {
    server.failNext('/zenodo/api/records/1001', 503, 502);
    const ok = await zenodo.resolve(clause('zenodo:1001/data.csv /data/raw.csv'), context());
    expect(ok.ok).toBe(true);
    expect(server.count('/zenodo/api/records/1001')).toBe(3);
    server.failNext('/zenodo/api/records/1001', 500, 500, 500);
    const tired = new ZenodoImporter(server.zenodoUrl, { ...FAST, attempts: 3 });
    const r = await tired.resolve(clause('zenodo:1001/data.csv /data/raw.csv'), context());
    expect(r).toEqual({ ok: false, message: `cannot download ${server.zenodoUrl}/api/records/1001: HTTP 500 from ${server.zenodoUrl}/api/records/1001 (3 attempts)` });
  });

  it('reports a 404 on the content link', async () => {
    server.record('1003', { 'gone.csv': 'x' });
    server.remove('/zenodo/api/records/1003/files/gone.csv/content');
    const r = await zenodo.fetch(clause('zenodo:1003/gone.csv /data/g.csv'), {}, join(tmp.dir, 'g'), context());
    expect(r).toEqual({ ok: false, message: `Zenodo has no content for gone.csv (HTTP 404 from ${server.url}/zenodo/api/records/1003/files/gone.csv/content)` });
  });

  it('extracts a zip into DEST/', async () => {
    const src = join(tmp.dir, 'src');
    mkdirSync(join(src, 'inner'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'A');
    writeFileSync(join(src, 'inner/b.txt'), 'B');
    execFileSync('zip', ['-qr', join(tmp.dir, 'bundle.zip'), '.'], { cwd: src });
    server.record('1004', { 'bundle.zip': readFileSync(join(tmp.dir, 'bundle.zip')) });
    const dest = join(tmp.dir, 'out');
    const r = await zenodo.fetch(clause('zenodo:1004/bundle.zip /data/bundle/ extract'), {}, dest, context());
    expect(r.ok).toBe(true);
    expect(readTree(dest)).toEqual({ 'a.txt': 'A', 'inner/b.txt': 'B' });
  });
});

describe('doi:10.5281/zenodo.RECORD (the whole record)', () => {
  it('imports every file into DEST/ and pins each checksum and the tree', async () => {
    const c = clause('doi:10.5281/zenodo.1001 /data/record/');
    const ctx = context();
    const resolved = await zenodo.resolve(c, ctx);
    const meta = { source: 'zenodo', doi: '10.5281/zenodo.1001', record: '1001', files: 2, size: CSV.length + 9, 'md5/README.md': md5('# readme\n'), 'md5/data.csv': md5(CSV) };
    expect(resolved).toEqual({ ok: true, pin: meta });
    const dest = join(tmp.dir, 'record');
    const fetched = await zenodo.fetch(c, meta, dest, ctx);
    expect(fetched).toEqual({ ok: true, pin: { ...meta, tree: treeId(dest) } });
    expect(readTree(dest)).toEqual({ 'README.md': '# readme\n', 'data.csv': CSV });
    expect(ctx.reports.at(-1)).toEqual([CSV.length + 9, CSV.length + 9]);
    server.reset();
    if (!fetched.ok) return;
    expect(await zenodo.resolve(c, context({ locked: fetched.pin }))).toEqual({ ok: true, pin: fetched.pin });
    expect(server.requests).toEqual([]);
  });

  it('leaves nothing when one file of the record fails', async () => {
    server.record('1005', { 'a.csv': 'a', 'b.csv': 'b' });
    server.tamper('/zenodo/api/records/1005/files/b.csv/content', 'B');
    const r = await zenodo.fetch(clause('doi:10.5281/zenodo.1005 /data/r/'), {}, join(tmp.dir, 'r'), context());
    expect(r.ok).toBe(false);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});

describe('a record whose files cannot all be DEST/NAME', () => {
  it('names the keys that would land on one file, and imports nothing', async () => {
    server.record('1006', { 'a/x.csv': '1\n', 'b/x.csv': '2\n', 'y.csv': '3\n' });
    const r = await zenodo.fetch(clause('zenodo:1006 /data/rec/'), {}, join(tmp.dir, 'rec'), context());
    expect(r).toEqual({ ok: false, message: 'Zenodo record 1006 has two files that would both be DEST/x.csv: `a/x.csv` and `b/x.csv`; import them one at a time, each to a name of its own (`zenodo:1006/a/x.csv /data/NAME`)' });
    expect(readdirSync(tmp.dir)).toEqual([]);
    expect(server.requests.filter((q) => q.path.endsWith('/content'))).toEqual([]);
  });

  it('refuses a key that is no file name (`.`, `..`, empty)', async () => {
    // A name longer than a file system's 255 bytes is none either: it failed as the store's "ENAMETOOLONG".
    for (const key of ['..', '.', 'dir/', '', `d/${'é'.repeat(128)}.csv`]) {
      server.record('1007', { [key]: 'dd\n', 'ok.csv': 'ok\n' });
      const r = await zenodo.fetch(clause('zenodo:1007 /data/rec/'), {}, join(tmp.dir, 'rec'), context());
      expect(r).toEqual({ ok: false, message: `Zenodo record 1007 has a file named ${JSON.stringify(key)}, which is no file name in DEST/; nothing was imported` });
      expect(readdirSync(tmp.dir)).toEqual([]);
    }
  });

  it('with extract, names the files that would land on one path, archive members or not, and imports nothing', async () => {
    const zipped = (name: string, body: string): Buffer => {
      const src = join(tmp.dir, `z-${body.trim()}`);
      mkdirSync(join(src, 'd'), { recursive: true });
      writeFileSync(join(src, name), body);
      execFileSync('zip', ['-qr', `${src}.zip`, '.'], { cwd: src });
      return readFileSync(`${src}.zip`);
    };
    server.record('1009', { 'a.zip': zipped('data.csv', 'AAA\n'), 'b.zip': zipped('data.csv', 'BBB\n'), 'data.csv': 'CCC\n' });
    const r = await zenodo.fetch(clause('zenodo:1009 /data/rec/ extract'), {}, join(tmp.dir, 'rec'), context());
    expect(r).toEqual({ ok: false, message: 'Zenodo record 1009 has two files that would both be DEST/data.csv: `data.csv` in `a.zip` and `data.csv` in `b.zip`; import them one at a time, each to a name of its own (`zenodo:1009/a.zip /data/NAME/ extract`)' });
    expect(existsSync(join(tmp.dir, 'rec'))).toBe(false);
    server.record('1010', { 'a.zip': zipped('data.csv', 'AAA\n'), 'data.csv': 'CCC\n' });
    const plain = await zenodo.fetch(clause('zenodo:1010 /data/rec/ extract'), {}, join(tmp.dir, 'rec'), context());
    expect(plain).toEqual({ ok: false, message: 'Zenodo record 1010 has two files that would both be DEST/data.csv: `data.csv` in `a.zip` and `data.csv`; import them one at a time, each to a name of its own (`zenodo:1010/a.zip /data/NAME/ extract`)' });
    expect(existsSync(join(tmp.dir, 'rec'))).toBe(false);
  });
});

describe('concept ids', () => {
  it('pins the version a concept id points to and re-resolves it every time', async () => {
    server.record('2001', { 'v.csv': 'one' }, { concept: '2000' });
    const c = clause('zenodo:2000/v.csv /data/v.csv');
    const r = await zenodo.fetch(c, {}, join(tmp.dir, 'v'), context());
    if (!r.ok) throw new Error(r.message);
    expect(r.pin.version).toBe('2001');
    expect(r.pin.record).toBe('2000');
    server.reset();
    expect(await zenodo.resolve(c, context({ locked: r.pin }))).toEqual({ ok: true, pin: r.pin });
    expect(server.count('/zenodo/api/records/')).toBe(2);
    server.record('2002', { 'v.csv': 'two' }, { concept: '2000' });
    const moved = await zenodo.resolve(c, context({ locked: r.pin }));
    expect(moved.ok && moved.pin.version).toBe('2002');
  });
});
