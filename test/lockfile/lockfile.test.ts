import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../support/rig.js';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { readLock, updateLock } from '../../src/lockfile.js';

const DIST_LOCKFILE = pathToFileURL(join(ROOT, 'dist/src/lockfile.js')).href;

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shark-lockfile-'));
  path = join(dir, 'p.lock.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A child process running `updateLock` on `path` with a given body, through the built module. */
function child(body: string): Promise<{ code: number | null; stderr: string }> {
  const script = `const { updateLock } = await import(${JSON.stringify(DIST_LOCKFILE)});\n${body}`;
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => done({ code, stderr }));
  });
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('readLock', () => {
  it('reads a missing file as an empty lock', () => {
    expect(readLock(path)).toEqual({ ok: true, lock: { version: 1, environments: {}, imports: {} } });
  });

  it('reports a JSON syntax error at its line and column, with the line shown', () => {
    writeFileSync(path, '{\n  "version": 1,\n  "imports": {\n    "a b": {"sha256": "x"},\n  }\n}\n');
    const read = readLock(path);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.diagnostic.at).toEqual({ line: 5, col: 3 });
    const shown = formatDiagnostic(read.diagnostic, read.source);
    expect(shown).toContain(`${path}:5:3: error: invalid JSON: expected a double-quoted property name, found \`}\``);
    expect(shown).toContain('    5 |   }\n      |   ^');
  });

  it('reports a key given twice in one object at the second (a union merge of two lock files: the last silently won)', () => {
    writeFileSync(path, '{\n  "version": 1,\n  "imports": {\n    "u /data/d.csv": {"sha256": "aa"},\n    "u /data/d.csv": {"sha256": "00"}\n  }\n}\n');
    expect(readLock(path)).toMatchObject({ ok: false, diagnostic: { at: { line: 5, col: 5 }, message: expect.stringContaining('invalid JSON: "u /data/d.csv" is given twice in one object') } });
  });

  it('reports an empty or truncated file', () => {
    writeFileSync(path, '');
    expect(readLock(path)).toMatchObject({ ok: false, diagnostic: { at: { line: 1, col: 1 }, message: expect.stringContaining('found the end of the file') } });
    writeFileSync(path, '{"version": 1, "imports": {"a": {"x": "unterminated');
    expect(readLock(path)).toMatchObject({ ok: false, diagnostic: { at: { line: 1, col: 39 }, message: expect.stringContaining('unterminated string') } });
  });

  it.each([
    ['{"version": 2}', 1, 13, 'unsupported lock file version 2'],
    ['{"environments": {}}', 1, 1, 'missing `"version": 1`'],
    ['[]', 1, 1, 'must be an object'],
    ['{"version": 1,\n "import": {}}', 2, 2, 'unknown key `import`'],
    ['{"version": 1, "imports": []}', 1, 27, '`imports` must be an object'],
    ['{"version": 1,\n "imports": {"a b": {"sha256": true}}}', 2, 32, 'pin field `sha256` must be a string or a number'],
    ['{"version": 1, "environments": {"gdal": {"bases": {}}}}', 1, 41, 'environment `gdal`: missing `image`'],
    ['{"version": 1, "environments": {"gdal": {"image": "i", "bases": {"alpine": 3}}}}', 1, 76, 'base `alpine` must map to a string'],
  ])('reports a wrong shape at the value: %s', (text, line, col, message) => {
    writeFileSync(path, text);
    const read = readLock(path);
    expect(read).toMatchObject({ ok: false, diagnostic: { at: { line, col }, message: expect.stringContaining(message) } });
  });

  it('reads a file an editor saved with a byte order mark, and places an error after one in its column', () => {
    writeFileSync(path, '\ufeff{"version": 1, "environments": {}, "imports": {}}');
    expect(readLock(path)).toEqual({ ok: true, lock: { version: 1, environments: {}, imports: {} } });
    writeFileSync(path, '\ufeff{"version": 2}');
    const read = readLock(path);
    expect(read.ok ? '' : formatDiagnostic(read.diagnostic)).toMatch(/:1:13: error: unsupported lock file version 2/);
  });

  it('accepts what updateLock writes, in any key order', () => {
    writeFileSync(path, '{"imports": {"k": {"b": 1, "a": "x"}}, "environments": {"e": {"image": "i", "bases": {}}}, "version": 1}');
    expect(readLock(path)).toEqual({ ok: true, lock: { version: 1, environments: { e: { image: 'i', bases: {} } }, imports: { k: { a: 'x', b: 1 } } } });
  });
});

describe('updateLock', () => {
  it('merges into what is on disk and writes sorted keys', () => {
    writeFileSync(path, '{"version": 1, "imports": {"z z": {"etag": "1"}}, "environments": {}}');
    const done = updateLock(path, (lock) => {
      lock.imports['a a'] = { path: 'a', etag: '2' };
    });
    expect(done.ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(
      '{\n  "environments": {},\n  "imports": {\n    "a a": {\n      "etag": "2",\n      "path": "a"\n    },\n    "z z": {\n      "etag": "1"\n    }\n  },\n  "version": 1\n}\n',
    );
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  // Said as `cp` says it, not Node's `ENOENT: no such file or directory, open '….lock'` (EACCES alike, beside a read-only document).
  it('says in words why the lock file cannot be written', () => {
    const done = updateLock('/nonexistent-shark-dir/p.lock.json', () => undefined);
    expect(done).toEqual({ ok: false, message: 'cannot create /nonexistent-shark-dir/p.lock.json.lock: no such directory /nonexistent-shark-dir' });
  });

  // A lock file kept elsewhere and linked beside the document (one lock shared by two documents) stays linked, as npm's does.
  it('writes through a symbolic link to the lock file: it replaced the link with a file of its own', () => {
    mkdirSync(join(dir, 'locks'));
    const target = join(dir, 'locks', 'shared.lock.json');
    writeFileSync(target, '{"version": 1, "imports": {}, "environments": {}}');
    symlinkSync('locks/shared.lock.json', path);
    const done = updateLock(path, (lock) => {
      lock.imports['a a'] = { etag: '1' };
    });
    expect(done.ok).toBe(true);
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toContain('"a a"');
    expect(existsSync(`${target}.lock`)).toBe(false);
  });

  it('refuses to overwrite a corrupt file, and leaves it as it was', () => {
    writeFileSync(path, '{"version": 1,');
    const done = updateLock(path, (lock) => {
      lock.imports['a'] = { x: 1 };
    });
    expect(done).toMatchObject({ ok: false, message: expect.stringContaining(`${path}:1:15: error: invalid JSON`) });
    expect(readFileSync(path, 'utf8')).toBe('{"version": 1,');
  });

  it('loses no entry when 8 processes update it at once', async () => {
    const perChild = 10;
    const results = await Promise.all(Array.from({ length: 8 }, (_, c) => child(`
      for (let n = 0; n < ${perChild}; n++) {
        const done = updateLock(${JSON.stringify(path)}, (lock) => { lock.imports['c${c}-' + n + ' /data/x'] = { etag: String(n), child: ${c} }; });
        if (!done.ok) { console.error(done.message); process.exit(1); }
      }`)));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const read = readLock(path);
    expect(read.ok).toBe(true);
    if (read.ok) expect(Object.keys(read.lock.imports)).toHaveLength(8 * perChild);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over a lock left by a dead process', () => {
    writeFileSync(`${path}.lock`, `${deadPid()} ${hostname()}\n`);
    const t0 = Date.now();
    expect(updateLock(path, (lock) => void (lock.imports['a'] = { x: 1 })).ok).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over at once an empty lock some seconds old: its maker died before writing its pid (a run waited a minute)', () => {
    writeFileSync(`${path}.lock`, '');
    const old = (Date.now() - 10_000) / 1000;
    utimesSync(`${path}.lock`, old, old);
    const t0 = Date.now();
    expect(updateLock(path, (lock) => void (lock.imports['a'] = { x: 1 })).ok).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('takes over a lock older than the bound, whoever holds it', () => {
    writeFileSync(`${path}.lock`, `${process.pid} some-other-host\n`);
    const old = (Date.now() - 3600_000) / 1000;
    utimesSync(`${path}.lock`, old, old);
    expect(updateLock(path, (lock) => void (lock.imports['a'] = { x: 1 })).ok).toBe(true);
  });

  it('waits while a live process holds the lock', async () => {
    writeFileSync(`${path}.lock`, `${process.pid} ${hostname()}\n`);
    const waiting = child(`const done = updateLock(${JSON.stringify(path)}, (lock) => { lock.imports['late'] = { x: 1 }; }); process.exit(done.ok ? 0 : 1);`);
    await new Promise((r) => setTimeout(r, 700));
    expect(existsSync(path)).toBe(false);
    rmSync(`${path}.lock`);
    expect((await waiting).code).toBe(0);
    expect(readLock(path)).toMatchObject({ ok: true, lock: { imports: { late: { x: 1 } } } });
  });
});
