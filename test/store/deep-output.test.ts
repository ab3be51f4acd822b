import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeTree } from '../../src/store/owner-access.js';
import { Rig } from '../support/rig.js';

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-deep-output-')));
// The store holds the deep tree too: deeper than the rig's own `rmSync` walks.
afterEach(() => (removeTree(rig.dir), rig.cleanup()));

describe('an output nested deeper than a synchronous walk can go', () => {
  it('is stored and read by the next step (2,000 nested directories: was "cannot run job: Maximum call stack size exceeded")', async () => {
    // Under PATH_MAX from the workspace's root, but past the depth at which storing recursed out of stack.
    const make = 'python3 -c \'import os, sys\nos.chdir(sys.argv[1])\nfor _ in range(2000): os.mkdir("x"); os.chdir("x")\nopen("f", "w").write("deep")\' /data/d/';
    rig.write('p.md', `# deep\n\n\`\`\`shark-run\nmkdir -p /data/d/ && ${make}\n\`\`\`\n\n\`\`\`shark-run\nfind /data/d/ -name f | wc -l > /data/n.txt\n\`\`\`\n`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.stdout + ran.stderr).not.toMatch(/call stack|cannot run job|PromiseRejectCallback/);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  }, 120_000);

  it('is refused as the step\'s bad output when a path in it is longer than a path can be (was "cannot run job: ENAMETOOLONG", 4 KB long)', async () => {
    // 90 directories of 60 bytes: past PATH_MAX (4,096 bytes) from any workspace, though each name is short.
    const make = 'python3 -c \'import os, sys\nos.chdir(sys.argv[1])\nfor _ in range(90): os.mkdir("d" * 60); os.chdir("d" * 60)\nopen("f", "w").write("deep")\' /data/d/';
    rig.write('p.md', `# deep\n\n\`\`\`shark-run\nmkdir -p /data/d/ && ${make}\n\`\`\`\n`);
    const ran = await rig.shark(['run', 'p.md', '--json']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    const failed = ran.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { reason: string; message: string });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toBe('bad-output');
    expect(failed[0]!.message).toMatch(/^output \/data\/d: \/data\/d\/d{60}\/d{60}\/.*… is nested deeper than a path on this system can name \(\d+ bytes in the store's workspace, at most 4095\): Shark reads and stores data by its path; nest it less deeply$/);
    // The path is shown cut short, not 4 KB of it.
    expect(failed[0]!.message.length).toBeLessThan(600);
  }, 120_000);
});

