import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/golden.js';

const dir = mkdtempSync(join(tmpdir(), 'shark-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function shark(cache: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'shark.js'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, SHARK_CODE_CACHE: cache }, timeout: 15_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The cache files a directory holds, by command, with their bytes. */
function cached(cache: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  let versions: string[];
  try {
    versions = readdirSync(join(cache, 'code-cache'));
  } catch {
    return found;
  }
  for (const v of versions) for (const f of readdirSync(join(cache, 'code-cache', v))) found.set(f, readFileSync(join(cache, 'code-cache', v, f)));
  return found;
}

describe('the start-up code cache', () => {
  const doc = 'fixtures/format/ecology.md';

  it('is written once per command and read the next time, with the same output', () => {
    const cache = join(dir, 'a');
    const first = shark(cache, 'dag', doc);
    expect(first.status).toBe(0);
    const files = cached(cache);
    expect([...files.keys()]).toEqual(['dag.bin']);
    const second = shark(cache, 'dag', doc);
    expect(second).toEqual(first);
    // Accepted, so not written again.
    expect(cached(cache).get('dag.bin')).toEqual(files.get('dag.bin'));
    expect(shark(cache, 'check', doc).status).toBe(0);
    expect([...cached(cache).keys()].sort()).toEqual(['check.bin', 'dag.bin']);
  });

  it('a run that executed jobs (V8 optimizing later meanwhile) leaves a cache the next run accepts: one written under other flags was refused and rewritten by every run', () => {
    const cache = join(dir, 'r');
    const work = mkdtempSync(join(dir, 'run-'));
    const doc = join(work, 'p.md');
    const run = (n: number): number | null => {
      writeFileSync(doc, `# Run\n\n\`\`\`shark-run\necho ${n} > /data/n.txt\n\`\`\`\n`);
      return shark(cache, 'run', doc, '--store', join(work, '.shark')).status;
    };
    expect(run(1)).toBe(0);
    const first = cached(cache).get('run.bin');
    expect(first?.length).toBeGreaterThan(1000);
    expect(run(2)).toBe(0);
    // Compared as a flag: a failing diff of two megabytes of bytes takes minutes to print.
    expect(cached(cache).get('run.bin')?.equals(first!), 'the cache was written again').toBe(true);
  });

  it('a damaged cache file costs nothing but time: the command works and the file is replaced', () => {
    const cache = join(dir, 'b');
    const good = shark(cache, 'dag', doc);
    const [version] = readdirSync(join(cache, 'code-cache'));
    const file = join(cache, 'code-cache', version!, 'dag.bin');
    writeFileSync(file, 'not a code cache');
    expect(shark(cache, 'dag', doc)).toEqual(good);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });

  it('off keeps nothing; an unwritable place is not an error', () => {
    const off = shark('off', 'dag', doc);
    expect(off.status).toBe(0);
    const blocked = join(dir, 'file');
    writeFileSync(blocked, '');
    const r = shark(join(blocked, 'below'), 'dag', doc);
    expect(r).toEqual(off);
  });

  it('a place under /proc is not written and does not hang the command (Node\'s recursive mkdir retried its ENOENT forever, at full CPU)', () => {
    const off = shark('off', 'dag', doc);
    const r = shark('/proc/shark-no-such-dir/cache', 'dag', doc);
    expect(r).toEqual(off);
  });

  it('a mistyped command or a bad document leaves nothing: the cache is made by a command that did its work', () => {
    const cache = join(dir, 'c');
    expect(shark(cache, 'nosuchcommand').status).toBe(2);
    const bad = join(dir, 'bad.md');
    writeFileSync(bad, '# bad\n\n```shark-run\ncat /data/never-written.txt > /data/out.txt\n```\n');
    expect(shark(cache, 'plan', bad).status).toBe(2);
    expect(cached(cache).size).toBe(0);
  });

  it('keeps the caches of the last four builds: a new build removes the oldest', () => {
    const cache = join(dir, 'd');
    const builds = join(cache, 'code-cache');
    for (let i = 0; i < 5; i++) {
      mkdirSync(join(builds, `old-${i}`), { recursive: true });
      const at = new Date(Date.now() - (10 - i) * 86_400_000);
      utimesSync(join(builds, `old-${i}`), at, at);
    }
    expect(shark(cache, 'check', doc).status).toBe(0);
    const left = readdirSync(builds).sort();
    expect(left).toHaveLength(4);
    expect(left.filter((d) => d.startsWith('old-'))).toEqual(['old-2', 'old-3', 'old-4']);
  });
  // HOME=/nonexistent is the home of `nobody` (Debian): run as root with it, Shark made /nonexistent/.cache.
  it('makes no home directory that does not exist: with none, nothing is cached', () => {
    const home = join(dir, 'no-home');
    const env = { ...process.env, HOME: home, XDG_CACHE_HOME: '' };
    delete (env as Record<string, string | undefined>).SHARK_CODE_CACHE;
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'shark.js'), 'dag', doc], { cwd: ROOT, encoding: 'utf8', env, timeout: 15_000 });
    expect(r.status).toBe(0);
    expect(() => readdirSync(home)).toThrow(/ENOENT/);
  });

  // Invalid by the XDG spec: it made `relcache/shark/code-cache/…` in the current directory (a project, as likely as not).
  it('ignores a relative XDG_CACHE_HOME: nothing is written in the current directory', () => {
    const cwd = join(dir, 'cwd');
    mkdirSync(cwd, { recursive: true });
    const env = { ...process.env, HOME: join(dir, 'home'), XDG_CACHE_HOME: 'relcache' };
    delete (env as Record<string, string | undefined>).SHARK_CODE_CACHE;
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'shark.js'), 'dag', join(ROOT, doc)], { cwd, encoding: 'utf8', env, timeout: 15_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
