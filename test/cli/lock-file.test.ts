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
        '1 error in p.lock.json',
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
      '1 error in p.lock.json',
      '',
    ].join('\n'));
  });

  it('a pin field not of its type (a checksum that is no hex of its length, a size that is no count) is located, not taken for new content', async () => {
    const pin = (field: string, value: string) => `{\n  "version": 1,\n  "imports": {"http://x/a.csv /data/a.csv": {"source": "url", "url": "http://x/a.csv", ${field}: ${value}}}\n}\n`;
    rig.write('p.lock.json', pin('"sha256"', '"zz"'));
    const ran = await rig.shark(['plan', 'p.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^p\.lock\.json:3:\d+: error: import `http:\/\/x\/a\.csv \/data\/a\.csv`: pin field `sha256` must be 64 hex digits, not "zz"; fix it/);
    expect(ran.stderr).toContain('"sha256": "zz"');
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    for (const [field, value] of [['"md5"', '"0123"'], ['"commit"', '"main"'], ['"size"', '-1'], ['"tree"', '"abc"'], ['"md5/a.csv"', '"x"']] as const) {
      rig.write('p.lock.json', pin(field, value));
      const bad = await rig.shark(['plan', 'p.md']);
      expect(bad.code, `${field}: ${value}`).toBe(2);
      expect(bad.stderr).toContain(`pin field \`${JSON.parse(field)}\` must be`);
    }
    expect(rig.count()).toBe(0);
  });

  it('a well-formed one, in any key order, is accepted', async () => {
    rig.write('p.lock.json', '{"imports": {}, "version": 1}');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.count()).toBe(1);
  });
});
