import { mkdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

describe('a local import naming a git repository with @REF as a path', () => {
  let rig: Rig;
  beforeEach(() => void (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('says to write it as a file:// URL, which takes @REF (it said only that the path does not exist)', async () => {
    mkdirSync(rig.path('models.git'));
    mkdirSync(rig.path('work/.git'), { recursive: true });
    rig.write('p.md', '```shark-import\nmodels.git@main /data/m/\nwork@v1 /data/w/\nnone@main /data/n/\n```\n');
    const r = await rig.shark(['plan', 'p.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`: to import that git repository at main, write it as a URL: file://${rig.path('models.git')}@main\n`);
    expect(r.stderr).toContain(`: to import that git repository at v1, write it as a URL: file://${rig.path('work/.git')}@v1\n`);
    expect(r.stderr).toContain(`local import \`none@main\` does not exist (looked for ${rig.path('none@main')})\n`);
  });
});
