import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CasWorkspaces } from '../../src/store/cas-workspaces.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function workspaces(): { tmp: string; ws: CasWorkspaces } {
  const tmp = mkdtempSync(join(tmpdir(), 'shark-ws-close-'));
  made.push(tmp);
  return { tmp, ws: new CasWorkspaces(tmp) };
}

describe('CasWorkspaces.close', () => {
  it('removes a kept workspace of a few directories at once, with no pile left to remove in the background', () => {
    const { tmp, ws } = workspaces();
    const a = ws.create('map', 'step');
    mkdirSync(join(a.root, 'data/out/sub'), { recursive: true });
    ws.dispose(a);
    expect(readdirSync(tmp)).toHaveLength(1); // kept for the next job
    ws.close();
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('moves a kept workspace of many directories to the pile, removed in the background', async () => {
    const { tmp, ws } = workspaces();
    const a = ws.create('map', 'step');
    for (let i = 0; i < 100; i++) mkdirSync(join(a.root, `data/d${i}`));
    ws.dispose(a);
    ws.close();
    expect(existsSync(a.root)).toBe(false);
    const deadline = Date.now() + 10_000;
    while (readdirSync(tmp).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmp)).toEqual([]);
  });
});
