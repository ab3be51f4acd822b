import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTree } from '../../src/store/owner-access.js';

describe('removing a workspace a job left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shark-deep-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes a tree 2,500 directories deep (gc --delete died: Maximum call stack size exceeded)', () => {
    const ws = join(dir, 'ws');
    // Made one level at a time from the one above (a path that deep is longer than the kernel takes whole).
    execFileSync('python3', ['-c', 'import os, sys\nos.mkdir(sys.argv[1]); os.chdir(sys.argv[1])\nfor _ in range(2500): os.mkdir("d"); os.chdir("d")', ws]);
    removeTree(ws);
    expect(existsSync(ws)).toBe(false);
  });
});
