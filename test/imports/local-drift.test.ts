import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A local import's source written after it was pinned (hashed, as `plan`
 * hashes it) and before, or while, it is copied: the bytes copied are not
 * those the pin, and so the key, names. Here a step that runs first (`-j 1`)
 * rewrites the source, as another process could during a long copy. The
 * import was stored under the old content's key, and a later run whose
 * source had that content again reused the wrong bytes.
 */
describe('a local import whose source changes after it was pinned', () => {
  let rig: Rig;
  beforeEach(() => void (rig = new Rig('shark-local-drift-')));
  afterEach(() => rig.cleanup());

  const doc = (source: string, sum: string, read: string): string =>
    `# Drift\n\n\`\`\`shark-run\nfor f in ${rig.path('src')}/*; do echo CHANGED > "$f"; done; echo > /data/first.txt\n\`\`\`\n\n` +
    `\`\`\`shark-import\n${source}${sum}\n\`\`\`\n\n\`\`\`shark-run\ncat ${read} > /data/out.txt\n\`\`\`\n`;

  it('fails the import (a file, with a checksum column or not; a directory), keeping no result under the old key', async () => {
    for (const [source, sum, read] of [
      ['src/a.txt /data/in.txt', '', '/data/in.txt'],
      ['src/a.txt /data/in.txt', ' sha256:87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7', '/data/in.txt'],
      ['src/ /data/in/', '', '/data/in/a.txt'],
    ] as const) {
      mkdirSync(rig.path('src'), { recursive: true });
      writeFileSync(rig.path('src/a.txt'), 'a\n');
      rig.write('p.md', doc(source, sum, read));
      const ran = await rig.shark(['run', 'p.md', '-j', '1']);
      expect(ran.code, `${source}${sum}: ${ran.stdout}${ran.stderr}`).toBe(1);
      expect(ran.stdout).toMatch(/src\/? ?\S* changed while it was imported \(stored sha256:|src\/ changed while it was imported \(stored tree:/);
      // Put back as pinned: nothing is cached under the old content's key with the new bytes.
      writeFileSync(rig.path('src/a.txt'), 'a\n');
      const plan = JSON.parse((await rig.shark(['plan', 'p.md', '--json'])).stdout) as { jobs: { step: string; status: string }[] };
      expect(plan.jobs.find((j) => j.step === 'drift-2')?.status, source).toBe('run');
      rmSync(rig.path('.shark'), { recursive: true, force: true });
    }
  });
});
