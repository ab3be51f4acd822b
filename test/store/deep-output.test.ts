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
});
