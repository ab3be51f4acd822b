import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
const pipeline = (reader: string): string => `# h

${fence}shark-run
mkdir -p /data/res/ && echo ok > /data/res/plain && ln -s plain /data/res/lnk
${fence}

${fence}shark-run
${reader}
${fence}

${fence}shark-publish
/data/out.txt
${fence}
`;

describe('a step that reads a directory and inputs inside it', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  for (const [order, reader] of [
    ['the file named first', 'cat /data/res/plain /data/res/lnk > /data/out.txt; ls /data/res/ >> /data/out.txt'],
    ['the directory named first', 'ls /data/res/ > /data/out.txt; cat /data/res/plain /data/res/lnk >> /data/out.txt'],
  ] as const) {
    it(`runs with ${order}`, async () => {
      rig.write('p.md', pipeline(reader));
      const ran = await rig.shark(['run', 'p.md']);
      expect(ran.stdout + ran.stderr).not.toMatch(/error/);
      expect(ran.code).toBe(0);
      expect(rig.read('_shark/out.txt').split('\n').sort().join('\n')).toBe('\nlnk\nok\nok\nplain');
    });
  }
});
