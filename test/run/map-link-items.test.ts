import { symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

describe('a map over a directory holding a link to another of its files', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('d/x.csv', 'abc\n');
    symlinkSync('x.csv', rig.path('d/l.csv'));
    rig.write('p.md', '```shark-import\nd /data/d/\n```\n\n```shark-run {id=count}\nwc -c < /data/d/*.csv > /data/n/+\n```\n\n```shark-publish\n/data/n/\n```\n');
  });
  afterEach(() => rig.cleanup());

  it('gives the link\'s job what it leads to as well (it was given the link alone, which led nowhere), keyed by it', async () => {
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('_shark/n/l.csv').trim()).toBe('4');
    expect(rig.read('_shark/n/x.csv').trim()).toBe('4');
    // What it leads to changing runs the link's job again (and x's), the link itself unchanged.
    rig.write('d/x.csv', 'abcdef\n');
    const again = await rig.shark(['run', 'p.md', '--json']);
    expect(again.stdout.split('\n').filter((l) => l.includes('"job-start"') && l.includes('"job":"count[')).length).toBe(2);
    expect(rig.read('_shark/n/l.csv').trim()).toBe('7');
  });
});
