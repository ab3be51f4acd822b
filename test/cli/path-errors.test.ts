import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/** A 300-character name: longer than any file system takes (255). */
const LONG = 'a'.repeat(300);
const NOT_A_DIRECTORY = 'not a directory: a part of the path is a file (a trailing `/`?)';

/**
 * A path given on the command line that fails with something other than "no
 * such file" (a file where a directory should be, a loop of links, a name too
 * long, a directory that cannot be searched) is bad input, said in the words
 * --config and check use: never an internal error.
 */
describe('path arguments the file system refuses', () => {
  const rig = new Rig();
  const { skip, shark } = unprivileged(rig);
  afterAll(() => rig.cleanup());

  beforeAll(async () => {
    rig.write('p.md', '# P\n\n```shark-run {id=a}\necho hi > /data/out.txt\n```\n');
    rig.write('f', '');
    symlinkSync('loop2', rig.path('loop1'));
    symlinkSync('loop1', rig.path('loop2'));
    mkdirSync(rig.path('shut'));
    rig.write('shut/x', '');
    chmodSync(rig.path('shut'), 0o000);
    expect((await shark('run', 'p.md')).code).toBe(0);
  });

  const cases = [
    ['f/x (f a file)', 'f/x', NOT_A_DIRECTORY],
    ['loop1/x (a loop of links)', 'loop1/x', 'too many levels of symbolic links'],
    ['a name of 300 characters', LONG, 'file name too long'],
  ] as const;

  it.each(cases)('impact p.md %s is one line, exit 2', async (_, path, why) => {
    const ran = await rig.shark(['impact', 'p.md', path]);
    expect(ran.stderr).toBe(`shark: error: \`${path}\` cannot be read: ${why}\n`);
    expect(ran.code).toBe(2);
  });

  it.each(cases)('run, export prov and export crate -o %s are one line, exit 2', async (_, path, why) => {
    for (const command of [['run', 'p.md'], ['export', 'prov', 'p.md']]) {
      const ran = await rig.shark([...command, '-o', path]);
      expect({ command, stderr: ran.stderr, code: ran.code }).toEqual({ command, stderr: `shark: error: cannot write ${path}: ${why}\n`, code: 2 });
    }
    const crate = await rig.shark(['export', 'crate', 'p.md', '-o', path]);
    expect(crate.stderr).toBe(`shark: error: cannot write the crate into ${path}: ${why}\n`);
    expect(crate.code).toBe(2);
  });

  it.skipIf(skip !== undefined)('a path inside a directory shark may not search is permission denied, exit 2', async () => {
    const impact = await shark('impact', 'p.md', 'shut/x');
    noCrash(impact.stderr);
    expect(impact.stderr).toBe('shark: error: `shut/x` cannot be read: permission denied\n');
    expect(impact.code).toBe(2);
    const run = await shark('run', 'p.md', '-o', 'shut/x');
    expect(run.stderr).toBe('shark: error: cannot write shut/x: permission denied\n');
    expect(run.code).toBe(2);
    const crate = await shark('export', 'crate', 'p.md', '-o', 'shut/x');
    expect(crate.stderr).toBe('shark: error: cannot write the crate into shut/x: permission denied\n');
    expect(crate.code).toBe(2);
  });

  // As `git` says "Unable to read current working directory"; each command stopped on `uv_cwd` as an internal error.
  it('a current directory removed under the shell is one line, exit 2; --version still answers', async () => {
    mkdirSync(rig.path('gone'));
    const removed = { cwd: 'gone', wrap: ['sh', '-c', 'rmdir "$PWD" && exec "$@"', 'sh'] };
    for (const command of [['run', rig.path('p.md')], ['plan', rig.path('p.md')], ['export', 'prov', rig.path('p.md')]]) {
      mkdirSync(rig.path('gone'), { recursive: true });
      const ran = await rig.shark(command, removed);
      expect({ command, stderr: ran.stderr, code: ran.code }).toEqual({ command, code: 2,
        stderr: 'shark: error: cannot read the current directory: it was removed (cd to a directory that exists)\n' });
    }
    mkdirSync(rig.path('gone'), { recursive: true });
    expect((await rig.shark(['--version'], removed)).code).toBe(0);
  });

  it('a store too deep for SQLite (~510 bytes) is said in words before anything is made, and --store elsewhere works', async () => {
    const deep = rig.path(Array.from({ length: 10 }, () => 'g'.repeat(50)).join('/'));
    mkdirSync(deep, { recursive: true });
    writeFileSync(`${deep}/p.md`, '# A\n\n```shark-run\necho hi > /data/a.txt\n```\n');
    const ran = await rig.shark(['run', `${deep}/p.md`]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/: its database's path is \d+ bytes long, and SQLite opens none longer than 507: keep the store on a shorter path \(--store DIR, or \$SHARK_STORE\)\n$/);
    expect(readdirSync(deep)).toEqual(['p.md']);
    expect((await rig.shark(['run', `${deep}/p.md`, '--store', rig.path('short')])).code).toBe(0);
  });

  it('a current directory whose path is not UTF-8 is refused, exit 2: Shark made a directory of the name as read (U+FFFD) and ran there', async () => {
    const odd = Buffer.concat([Buffer.from(rig.path('caf')), Buffer.from([0xe9])]);
    mkdirSync(odd);
    writeFileSync(Buffer.concat([odd, Buffer.from('/p.md')]), '# A\n\n```shark-run\necho hi > /data/a.txt\n```\n');
    const ran = await rig.shark(['run', 'p.md'], { wrap: ['sh', '-c', 'cd "$(printf "%s\\351" "$0")" && exec "$@"', rig.path('caf')] });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^shark: error: the current directory's path is not UTF-8 \(.*caf\uFFFD\): Shark keeps paths as text/);
    expect(readdirSync(rig.dir).filter((n) => n.startsWith('caf'))).toHaveLength(1);
  });

  it('serve --host \'\' is a usage error, not an internal one (it would listen on every address)', async () => {
    const ran = await rig.shark(['serve', 'p.md', '--host', ''], { timeoutMs: 10_000 });
    expect(ran.stderr).toBe('shark: error: --host is empty: name the address to listen on, or leave the option out for 127.0.0.1\n');
    expect(ran.code).toBe(2);
  });
});
