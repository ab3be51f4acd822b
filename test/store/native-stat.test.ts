import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lstatAt } from '../../src/store/native-stat.js';
import { Rig } from '../support/rig.js';

/**
 * The native stat module (native/stat.c), built by `npm ci`: its stats are
 * Node's, field for field, so a walk or an object check through it judges
 * as one through Node would. Skipped where it was not built, except in CI
 * (SHARK_REQUIRE_NATIVE=1), where that fails.
 */
const suite = lstatAt !== undefined ? describe : process.env['SHARK_REQUIRE_NATIVE'] === '1'
  ? (name: string): void => describe(name, () => it('needs the native stat module (npm ci builds it: scripts/build-native.js)', () => {
    throw new Error('build/Release/shark_stat.node was not built or does not load');
  }))
  : describe.skip;

suite('the native stat module, beside Node\'s lstat', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shark-native-stat-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each entry the kind, mode, size, inode and times Node gives, to the nanosecond and as mtimeMs', () => {
    writeFileSync(join(dir, 'file.txt'), 'hello');
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool'), 0o755);
    // An object's stored time (1 s and a microsecond a byte) and odd ones: what the checks compare as doubles.
    writeFileSync(join(dir, 'object'), 'x'.repeat(123_457));
    utimesSync(join(dir, 'object'), 5, 1 + 123_457.5 / 1e6);
    utimesSync(join(dir, 'file.txt'), 1_700_000_000.123456, 1_712_345_678.987654);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'below'), 'below\n');
    symlinkSync('file.txt', join(dir, 'link'));
    symlinkSync('nowhere', join(dir, 'dangling'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    writeFileSync(join(dir, 'caf\u00e9 \u{1f988}\nname'), 'odd name\n');
    const names = ['file.txt', 'tool', 'object', 'sub', 'sub/below', 'link', 'dangling', 'fifo', 'caf\u00e9 \u{1f988}\nname', 'missing', 'file.txt/below'];
    const n = names.length;
    const kind = new Uint8Array(n);
    const big = [new BigInt64Array(n), new BigInt64Array(n), new BigInt64Array(n), new BigInt64Array(n), new BigInt64Array(n)] as const;
    lstatAt!(dir, names, kind, big);
    const kindNames = ['unknown', 'file', 'dir', 'link', 'special'];
    expect(names.map((_, i) => kindNames[kind[i]!])).toEqual(['file', 'file', 'file', 'dir', 'file', 'link', 'link', 'special', 'file', 'unknown', 'unknown']);
    for (let i = 0; i < n - 2; i++) {
      const st = lstatSync(join(dir, names[i]!), { bigint: true });
      expect([big[0][i], big[1][i], big[2][i], big[3][i], big[4][i]], names[i]).toEqual([st.mode, st.size, st.ino, st.mtimeNs, st.ctimeNs]);
    }
    // As numbers, only the columns asked for: the times as Node makes `mtimeMs`, the same double.
    const size = new Float64Array(n);
    const ino = new Float64Array(n);
    const mtimeMs = new Float64Array(n);
    lstatAt!(dir, names, kind, [null, size, ino, mtimeMs, null]);
    for (let i = 0; i < n - 2; i++) {
      const st = lstatSync(join(dir, names[i]!));
      expect([size[i], ino[i], mtimeMs[i]], names[i]).toEqual([st.size, st.ino, st.mtimeMs]);
    }
  });

  it('leaves a path too long to take whole, or holding a NUL, unknown: never the shorter one it would be cut to', () => {
    // 4,001 bytes of directories, then a name of three-byte characters: cut at a character's boundary
    // under 4,096 bytes, the path of 40 of them would be the file with 31.
    writeFileSync(join(dir, 'plain'), '');
    const dirs = `${`${'d'.repeat(200)}/`.repeat(19)}${'d'.repeat(181)}/`;
    const deep = `${dirs}x`;
    const file = `${deep}${'\u20ac'.repeat(31)}`;
    execFileSync('sh', ['-c', 'mkdir -p "$1" && cd "$1" && touch "$2"', 'sh', dirs, file.slice(dirs.length)], { cwd: dir });
    const kind = new Uint8Array(2);
    try {
      lstatAt!(dir, [file, `${deep}${'\u20ac'.repeat(40)}`], kind, [null, null, null, null, null]);
    } finally {
      // Deeper than Node's rmSync reaches by path (ENAMETOOLONG): rm walks it from descriptors.
      execFileSync('rm', ['-rf', 'd'.repeat(200)], { cwd: dir });
    }
    expect([...kind]).toEqual([1, 0]);
    // Nor one a NUL would cut short.
    lstatAt!(dir, ['plain', 'plain\0.txt'], kind, [null, null, null, null, null]);
    expect([...kind]).toEqual([1, 0]);
  });

  it('throws when the directory cannot be opened, and refuses arrays that are too short', () => {
    const kind = new Uint8Array(1);
    const none = [null, null, null, null, null] as const;
    expect(() => lstatAt!(join(dir, 'missing'), ['a'], kind, none)).toThrow(/cannot be opened|No such file/);
    writeFileSync(join(dir, 'plain'), '');
    expect(() => lstatAt!(join(dir, 'plain'), ['a'], kind, none)).toThrow();
    expect(() => lstatAt!(dir, ['a', 'b'], kind, none)).toThrow(/one per name/);
    expect(() => lstatAt!(dir, ['a'], kind, [new Float64Array(0), null, null, null, null])).toThrow(/column/);
  });
});

/** What users see: a plan judges a store's damaged objects the same with the module as through Node. */
suite('a plan with and without the native stat module', () => {
  const rigs: Rig[] = [];
  afterEach(() => {
    for (const rig of rigs.splice(0)) rig.cleanup();
  });

  /** A map of 20 items run once: the plan checks its objects on a worker, from the step's memo. */
  async function ranMap(): Promise<Rig> {
    const rig = new Rig('shark-native-plan-');
    rigs.push(rig);
    for (let i = 0; i < 20; i++) rig.write(`items/${i}.txt`, `item ${i}\n`);
    rig.write('p.md', '# Map\n\n```shark-import\nitems /data/items/\n```\n\n```shark-run\nsed s/item/ITEM/ /data/items/* > /data/out/+\n```\n');
    const ran = await rig.shark(['run', 'p.md', '-j', '2']);
    expect(ran.code, ran.stderr).toBe(0);
    return rig;
  }

  const plan = async (rig: Rig, env: Record<string, string>): Promise<{ jobs: { item?: string; status: string; outputs?: Record<string, string> }[] }> =>
    JSON.parse((await rig.shark(['plan', 'p.md', '--json'], { env })).stdout);

  it('finds an object of a cached map rewritten, removed or replaced by a link, and runs that job again', async () => {
    const damages: [string, (object: string, rig: Rig) => void][] = [
      ['3.txt', (object) => (chmodSync(object, 0o644), writeFileSync(object, 'ITEM 3, CHANGED\n'))],
      ['5.txt', (object) => rmSync(object)],
      ['7.txt', (object, rig) => (rmSync(object), symlinkSync(rig.path('items/7.txt'), object))],
    ];
    for (const [item, damage] of damages) {
      const rig = await ranMap();
      const before = await plan(rig, {});
      expect(await plan(rig, { SHARK_NATIVE_STAT: 'off' })).toEqual(before);
      const id = Object.values(before.jobs.find((j) => j.item === item)!.outputs!)[0]!;
      const hex = id.slice(id.indexOf(':') + 1);
      damage(rig.path(`.shark/objects/${hex.slice(0, 2)}/${hex.slice(2)}`), rig);
      const native = await plan(rig, {});
      expect(await plan(rig, { SHARK_NATIVE_STAT: 'off' })).toEqual(native);
      expect(native.jobs.filter((j) => j.status === 'run').map((j) => j.item), item).toEqual([item]);
    }
  });
});
