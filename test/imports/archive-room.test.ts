import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileImporter } from '../../src/imports/file-importer.js';
import { Rig } from '../support/rig.js';
import { mountSmallDisk } from '../support/small-disk.js';
import { clause, context, readTree } from './helpers.js';

/**
 * An archive that unpacks to more than its disk has free (a few kilobytes
 * of gzip or deflate holding megabytes of zeros) is refused before anything
 * is unpacked, by what its members' headers declare: filling the disk would
 * fail the import anyway, and every other job writing there with it. A
 * 1 MiB tmpfs is the disk (mounting one needs root).
 */
const rig = new Rig('shark-archive-room-');
const disk = rig.path('small');
const skip = mountSmallDisk(disk);
const files = new FileImporter();

/** An archive of `name` holding `bytes` zeros, made by the tools users make them with. */
function zeros(kind: 'tar.gz' | 'zip', name: string, bytes: number): string {
  const src = rig.path(`src-${name}`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'zeros.bin'), Buffer.alloc(bytes));
  const archive = rig.path(`${name}.${kind}`);
  if (kind === 'zip') execFileSync('zip', ['-qr', archive, '.'], { cwd: src });
  else execFileSync('tar', ['-czf', archive, '-C', src, '.']);
  return archive;
}

describe.skipIf(skip !== undefined)(`an archive larger unpacked than its disk's free space${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  afterAll(() => {
    spawnSync('umount', [disk]);
    rig.cleanup();
  });

  it.each(['tar.gz', 'zip'] as const)('a .%s of 4 MB of zeros is refused on a 1 MiB disk, naming both sizes, and nothing is left; one that fits is unpacked', async (kind) => {
    const big = zeros(kind, `big-${kind.replace('.', '-')}`, 4_000_000);
    const dest = join(disk, `out-${kind}`, 'x');
    mkdirSync(dest, { recursive: true });
    const ctx = context({ dir: rig.dir });
    const refused = await files.fetch(clause(`${big} /data/x/ extract`), {}, dest, ctx);
    expect(refused).toEqual({ ok: false, message: expect.stringMatching(/^cannot extract .*: its members total 4\.0 MB unpacked, more than the [01]\.\d MB free on the disk it unpacks to; nothing was extracted$/) });
    expect(readdirSync(join(disk, `out-${kind}`))).toEqual(['x']);
    expect(readdirSync(dest)).toEqual([]);
    const small = zeros(kind, `small-${kind.replace('.', '-')}`, 100_000);
    const fits = await files.fetch(clause(`${small} /data/x/ extract`), {}, dest, ctx);
    expect(fits).toMatchObject({ ok: true });
    expect(Object.keys(readTree(dest))).toEqual(['zeros.bin']);
  });

  it('shark run fails the import with that message, exit 1, and the disk is left as it was', async () => {
    const big = zeros('tar.gz', 'run-big', 4_000_000);
    execFileSync('cp', [big, join(disk, 'bomb.tar.gz')]);
    writeFileSync(join(disk, 'p.md'), '# Bomb\n\n```shark-import\nbomb.tar.gz /data/x/ extract\n```\n\n```shark-run\nls /data/x > /data/list.txt\n```\n');
    const ran = await rig.shark(['run', 'small/p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    expect(ran.stdout).toMatch(/cannot extract .*bomb\.tar\.gz: its members total 4\.0 MB unpacked, more than the [01]\.\d MB free on the disk it unpacks to; nothing was extracted/);
    expect(ran.stdout + ran.stderr).not.toMatch(/internal error|\n\s+at /);
    const tmp = join(disk, '.shark/tmp');
    expect(existsSync(tmp) ? readdirSync(tmp).filter((n) => !n.startsWith('trash-')) : []).toEqual([]);
  });
});
