import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modes } from './contract.js';
import { skipZfs, zfsSuite, zfsTestFile } from './zfs-test-file.js';

/**
 * A pipeline's data is the same files on a ZFS store as on the directory
 * store: the real binary runs one document on each, and what a later step
 * sees and what a publish writes are compared.
 */
const missing = await zfsTestFile();

const ZFS = ['/usr/sbin/zfs', '/sbin/zfs'].find((p) => existsSync(p)) ?? 'zfs';

/** Step 1 makes a setuid program; step 2 says what it sees of it (its mode, and the options of its mount on ZFS). */
const SETUID = `# A step makes a setuid program

\`\`\`shark-run
printf '#!/bin/sh\\necho hi\\n' > /data/tool && chmod 4755 /data/tool
\`\`\`

\`\`\`shark-run
stat -c %a /data/tool > /data/seen.txt; grep ' /data/tool ' /proc/self/mountinfo | cut -d ' ' -f 6 > /data/mount.txt
\`\`\`

\`\`\`shark-publish
/data/tool
/data/seen.txt
/data/mount.txt
\`\`\`
`;

/** Step 1 makes files and directories of odd modes; step 2 lists the modes it sees. */
const MODES = `# Odd modes

\`\`\`shark-run
mkdir -p /data/odd/ && cd /data/odd && printf 'm\\n' > mode000 && chmod 000 mode000 && printf 's\\n' > suid && chmod 4755 suid && printf 'e\\n' > exe && chmod 744 exe && printf 'p\\n' > plain && chmod 600 plain && mkdir sticky rodir && echo s > sticky/f && chmod 1777 sticky && echo r > rodir/f && chmod 555 rodir
\`\`\`

\`\`\`shark-run
cd /data/odd && find . -printf '%y %m %p\\n' | LC_ALL=C sort > /data/report.txt
\`\`\`

\`\`\`shark-publish
/data/odd/
/data/report.txt
\`\`\`
`;

/** Step 1 links into /data, absolutely and relatively; a later host step reads through both. */
const LINKS = `# Links into /data

\`\`\`shark-run
mkdir -p /data/d/ && echo payload > /data/d/target && ln -s /data/d/target /data/d/abs && ln -s target /data/d/rel
\`\`\`

\`\`\`shark-run
cat /data/d/target > /dev/null; cat /data/d/abs > /data/out-abs.txt 2>&1; cat /data/d/rel > /data/out-rel.txt; readlink /data/d/abs > /data/readlink.txt
\`\`\`

\`\`\`shark-publish
/data/out-abs.txt
/data/out-rel.txt
/data/readlink.txt
\`\`\`
`;

describe.skipIf(skipZfs(missing))('the same files on ZFS as on the directory store', () => {
  const suite = zfsSuite('same', missing);
  const { ds } = suite;
  const zfs = ['--store', suite.store];

  /** Runs `doc` on the store `args` names (the directory store without any) and returns the published files' modes and texts. */
  const run = async (doc: string, args: string[], files: string[]): Promise<{ modes: string[]; texts: string[] }> => {
    suite.rig.write('p.md', doc);
    // A store replaces only what it published itself: the other store's copies are moved away first.
    rmSync(suite.rig.path('_shark'), { recursive: true, force: true });
    const ran = await suite.rig.shark(['run', 'p.md', ...args], { timeoutMs: 120_000 });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    return {
      modes: files.map((f) => (statSync(suite.rig.path(`_shark/${f}`)).mode & 0o7777).toString(8)),
      texts: files.map((f) => (f.endsWith('.txt') ? suite.rig.read(`_shark/${f}`) : '')),
    };
  };

  it('keeps no setuid bit in the store, in a later step or in a publish, and mounts inputs nosuid', async () => {
    const cas = await run(SETUID, [], ['tool', 'seen.txt']);
    const onZfs = await run(SETUID, zfs, ['tool', 'seen.txt']);
    expect(cas.modes[0]).toBe('755');
    expect(onZfs.modes[0]).toBe('755');
    expect(onZfs.texts[1]).toBe('555\n');
    expect(cas.texts[1]).toBe('555\n');
    expect(suite.rig.read('_shark/mount.txt').trim().split(',')).toContain('nosuid');
    expect(execFileSync(ZFS, ['get', '-H', '-o', 'value', 'setuid', ds], { encoding: 'utf8' }).trim()).toBe('off');
  }, 240_000);

  it('gives a later step and a publish the same modes as the directory store: files 0444 or 0555, directories 0755', async () => {
    await run(MODES, [], []);
    const casReport = suite.rig.read('_shark/report.txt');
    const casPublished = modes(suite.rig.path('_shark/odd'));
    await run(MODES, zfs, []);
    expect(suite.rig.read('_shark/report.txt')).toBe(casReport);
    expect(modes(suite.rig.path('_shark/odd'))).toEqual(casPublished);
    expect(casReport.split('\n')).toEqual(expect.arrayContaining([
      'd 755 .', 'd 755 ./rodir', 'd 755 ./sticky', 'f 444 ./mode000', 'f 444 ./plain', 'f 555 ./exe', 'f 555 ./suid',
    ]));
    expect(casPublished).toMatchObject({ '.': '755', rodir: '755', sticky: '755', mode000: '644', plain: '644', exe: '755', suid: '755' });
  }, 240_000);

  it('places a link into /data relative in a later step, so it leads to the copy in that step', async () => {
    const files = ['out-abs.txt', 'out-rel.txt', 'readlink.txt'];
    const cas = await run(LINKS, [], files);
    const onZfs = await run(LINKS, zfs, files);
    expect(cas.texts).toEqual(['payload\n', 'payload\n', 'target\n']);
    expect(onZfs.texts).toEqual(cas.texts);
  }, 240_000);
});
