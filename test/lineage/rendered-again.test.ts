import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LineageNode } from '../../src/lineage/lineage.js';
import { Rig } from '../support/rig.js';
import { objectPath } from './fixture.js';

/**
 * A large lineage (a reduce over 10,000 items: a second to read and
 * render) is kept as it was rendered and printed again in milliseconds,
 * until a record it came from changes. 2,500 frontmatter variables make
 * each job's `with` line 150 KB, so three jobs are a lineage worth keeping.
 */
const VARIABLES = Array.from({ length: 2500 }, (_, i) => `V${i}: ${'v'.repeat(40)}`).join('\n');
const PIPELINE = `---
${VARIABLES}
---
\`\`\`shark-run
echo one > /data/a.txt
\`\`\`

\`\`\`shark-run
tr a-z A-Z < /data/a.txt > /data/b.txt
\`\`\`

\`\`\`shark-run
cat /data/b.txt /data/a.txt > /data/c.txt
\`\`\`
`;

describe('a large lineage is kept as rendered, never shown stale', () => {
  let rig: Rig;
  const kept = (): string[] => {
    try {
      return readdirSync(rig.path('.shark/lineage')).filter((f) => !f.startsWith('.'));
    } catch {
      return [];
    }
  };
  beforeEach(async () => {
    rig = new Rig('shark-rendered-');
    rig.write('p.md', PIPELINE);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stderr).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('prints the same text, JSON and cut lineage again from what it kept', async () => {
    const asks = [['lineage', 'p.md', '/data/c.txt'], ['lineage', 'p.md', '/data/c.txt', '--json'], ['lineage', 'p.md', '/data/c.txt', '--depth', '1']];
    const first = [];
    for (const ask of asks) first.push(await rig.shark(ask));
    expect(first.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(first[0]!.stdout.length).toBeGreaterThan(256 * 1024);
    expect(kept()).toHaveLength(3);
    for (const [i, ask] of asks.entries()) expect((await rig.shark(ask)).stdout).toBe(first[i]!.stdout);
    expect(first[2]!.stdout).toContain('(not followed: --depth 1)');
    expect(first[2]!.stdout).not.toBe(first[0]!.stdout);
  });

  it('a kept rendering damaged or cut short is rendered again, not shown', async () => {
    const fresh = (await rig.shark(['lineage', 'p.md', '/data/c.txt'])).stdout;
    const [file] = kept();
    const path = rig.path(join('.shark/lineage', file!));
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([bytes.subarray(0, bytes.length - 40), Buffer.from('run-9 tampered\n')]));
    expect((await rig.shark(['lineage', 'p.md', '/data/c.txt'])).stdout).toBe(fresh);
    writeFileSync(path, bytes.subarray(0, 1000));
    expect((await rig.shark(['lineage', 'p.md', '/data/c.txt'])).stdout).toBe(fresh);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('after fsck --repair drops a result of the ancestry, lineage says so', async () => {
    const before = await rig.shark(['lineage', 'p.md', '/data/c.txt']);
    expect(before.stdout).not.toContain('dropped by `shark fsck --repair`');
    expect(kept()).toHaveLength(1);
    const b = (JSON.parse((await rig.shark(['lineage', 'p.md', '/data/b.txt', '--json'])).stdout) as LineageNode).outputs['/data/b.txt']!;
    const path = objectPath(rig, b);
    chmodSync(path, 0o644);
    writeFileSync(path, 'X\n');
    expect((await rig.shark(['fsck', 'p.md', '--repair'])).code).toBe(0);
    const after = await rig.shark(['lineage', 'p.md', '/data/c.txt']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('dropped by `shark fsck --repair`');
  });

  it('a lineage read while a run lives is not kept; once it ended, it is', async () => {
    rig.write('slow.md', '```shark-run\nsleep 4; echo slow > /data/slow.txt\n```\n');
    const slow = rig.start(['run', 'slow.md']);
    for (let i = 0; i < 100 && !(await rig.shark(['runs', 'slow.md'])).stdout.includes('running'); i++) await new Promise((r) => setTimeout(r, 50));
    const during = await rig.shark(['lineage', 'p.md', '/data/c.txt']);
    expect(during.code, during.stderr).toBe(0);
    expect(kept()).toEqual([]);
    expect((await slow.ended).code).toBe(0);
    expect((await rig.shark(['lineage', 'p.md', '/data/c.txt'])).stdout).toBe(during.stdout);
    expect(kept()).toHaveLength(1);
  });

  it('names the document from where it is asked, not from where a kept rendering was asked', async () => {
    rig.write('sub/.keep', '');
    const asks = [['lineage', 'p.md', '/data/c.txt'], ['lineage', 'p.md', '/data/c.txt', '--json']];
    const here = [];
    for (const ask of asks) here.push((await rig.shark(ask)).stdout);
    expect(here[0]).toMatch(/^run-3  \(p\.md:\d+:1, /);
    for (const ask of asks) {
      const below = await rig.shark(ask.map((a) => (a === 'p.md' ? '../p.md' : a)), { cwd: 'sub' });
      expect(below.code).toBe(0);
      // Outside the current directory a document is named by its absolute path.
      expect(below.stdout).toContain(`${rig.path('p.md')}:`);
    }
    for (const [i, ask] of asks.entries()) expect((await rig.shark(ask)).stdout).toBe(here[i]);
  });
});
