import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/** A tar (or zip) whose members have the modes given, as python3 writes them. */
function archive(out: string, kind: 'tar' | 'zip'): void {
  const script = `
import io, stat, sys, tarfile, zipfile
members = [('ro', 'dir', 0o555), ('ro/f.txt', 'a', 0o444), ('shut', 'dir', 0o000), ('shut/g.txt', 'b', 0o000), ('h.txt', 'c', 0o000)]
if sys.argv[1] == 'zip':
    with zipfile.ZipFile(sys.argv[2], 'w') as z:
        for name, data, mode in members:
            zi = zipfile.ZipInfo(name + ('/' if data == 'dir' else '')); zi.create_system = 3
            zi.external_attr = ((stat.S_IFDIR if data == 'dir' else stat.S_IFREG) | mode) << 16
            z.writestr(zi, '' if data == 'dir' else data)
else:
    with tarfile.open(sys.argv[2], 'w') as t:
        for name, data, mode in members:
            ti = tarfile.TarInfo(name); ti.mode = mode
            if data == 'dir': ti.type = tarfile.DIRTYPE; t.addfile(ti)
            else: ti.size = len(data); t.addfile(ti, io.BytesIO(data.encode()))
`;
  execFileSync('python3', ['-c', script, kind, out]);
}

/** Archives are data: the modes of their directories are no reason to fail, for a user who is not root. */
describe('an archive whose directories and files its user may not enter or read', () => {
  const rig = new Rig();
  const { skip, shark } = unprivileged(rig);
  afterAll(() => rig.cleanup());

  it.skipIf(skip !== undefined).each(['tar', 'zip'] as const)('is unpacked, stored and published (%s: was "cannot run job: EACCES: permission denied, rename …")', async (kind) => {
    rig.write(`${kind}/p.md`, `# M\n\n\`\`\`shark-import\nm.${kind} /data/m/ extract\n\`\`\`\n\n\`\`\`shark-run\ncat /data/m/ro/f.txt /data/m/shut/g.txt /data/m/h.txt > /data/all.txt\n\`\`\`\n\n\`\`\`shark-publish\n/data/m/\n/data/all.txt\n\`\`\`\n`);
    archive(rig.path(`${kind}/m.${kind}`), kind);
    execFileSync('chmod', ['-R', 'a+rwX', rig.path(kind)]);
    const ran = await shark('run', `${kind}/p.md`);
    noCrash(ran.stderr);
    expect(ran.stdout).not.toContain('cannot run job');
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read(`${kind}/_shark/all.txt`)).toBe('abc');
    expect(statSync(rig.path(`${kind}/_shark/m/ro`)).mode & 0o777).toBe(0o755);
    expect(statSync(rig.path(`${kind}/_shark/m/shut/g.txt`)).mode & 0o777).toBe(0o644);
  });
});
