import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const PIPELINE = '# L\n\n```shark-run\necho ran >> counter; echo hi > /data/hi.txt\n```\n';

describe('a malformed lock file', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-lock-file-');
    rig.write('p.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  it('is a located error (exit 2) for plan and run, and nothing runs', async () => {
    rig.write('p.lock.json', '{\n  "version": 1,\n  "imports": {"x y": {"sha256": "ab"}\n}\n');
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md']);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toBe([
        'p.lock.json:4:2: error: invalid JSON: expected `,` or `}` after a property, found the end of the file; fix it, or delete the file to resolve every pin again',
        '    4 | }',
        '      |  ^',
        '',
      ].join('\n'));
    }
    expect(rig.count()).toBe(0);
    expect(rig.read('p.lock.json')).toBe('{\n  "version": 1,\n  "imports": {"x y": {"sha256": "ab"}\n}\n');
  });

  it('shows the line of a value of the wrong shape', async () => {
    rig.write('p.lock.json', '{\n  "version": 1,\n  "environments": {"gdal": {"image": 42, "bases": {}}}\n}\n');
    const ran = await rig.shark(['plan', 'p.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe([
      'p.lock.json:3:38: error: environment `gdal`: `image` must be a string (an image id); fix it, or delete the file to resolve every pin again',
      '    3 |   "environments": {"gdal": {"image": 42, "bases": {}}}',
      '      |                                      ^',
      '',
    ].join('\n'));
  });

  it('a well-formed one, in any key order, is accepted', async () => {
    rig.write('p.lock.json', '{"imports": {}, "version": 1}');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.count()).toBe(1);
  });
});
