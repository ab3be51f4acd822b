import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A link a step made that leads out of /data is data: a later job on the
 * host is not given it (it would read the host's file), it fails naming it.
 */
describe('a host job given a link that leads out of /data', () => {
  const rig = new Rig('shark-hostlinks-');
  afterAll(() => rig.cleanup());
  rig.write('secret.txt', 'secret\n');

  it.each([
    ['an absolute link', rig.path('secret.txt')],
    ['a relative link that climbs out', `${'../'.repeat(12)}${rig.path('secret.txt').slice(1)}`],
  ])('%s fails the reader, which never reads the host file, and nothing is cached', async (_, target) => {
    rig.write('s.md', `\`\`\`shark-run\nmkdir -p /data/l && ln -s ${target} /data/l/x.txt\n\`\`\`\n\n\`\`\`shark-run\ncat /data/l/x.txt > /data/out.txt\n\`\`\`\n\n\`\`\`shark-publish\n/data/out.txt\n\`\`\`\n`);
    for (let i = 0; i < 2; i++) {
      const ran = await rig.shark(['run', 's.md']);
      expect(ran.stdout + ran.stderr).toContain(`its input /data/l/x.txt is a symbolic link to \`${target}\`, outside /data`);
      expect(ran.code).toBe(1);
      expect(rig.exists('_shark/out.txt')).toBe(false);
    }
  });

  it('a link that stays inside /data is read as before', async () => {
    rig.write('t.md', '```shark-run\nmkdir -p /data/m && echo in > /data/m/a.txt && ln -s ../m/a.txt /data/m/x.txt\n```\n\n```shark-run\ncat /data/m/x.txt /data/m/ > /data/in.txt 2>/dev/null; true\n```\n\n```shark-publish\n/data/in.txt\n```\n');
    const ran = await rig.shark(['run', 't.md']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(rig.read('_shark/in.txt')).toBe('in\n');
  });
});
