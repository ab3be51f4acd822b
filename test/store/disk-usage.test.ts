import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freedBytes } from '../../src/store/disk-usage.js';

describe('freedBytes', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('counts disk use as du does (blocks, folders included), not the bytes of the files: many small files take far more than their sizes', () => {
    const root = mkdtempSync(join(tmpdir(), 'shark-du-'));
    dirs.push(root);
    const ws = join(root, 'ws-1-x');
    mkdirSync(join(ws, 'data'), { recursive: true });
    for (let i = 0; i < 500; i++) writeFileSync(join(ws, 'data', `f${i}`), 'x');
    const du = Number(execFileSync('du', ['-s', '-B1', ws], { encoding: 'utf8' }).split('\t')[0]);
    expect(du).toBeGreaterThan(500 * 512);
    expect(freedBytes([ws])).toBe(du);
  });

  it('still leaves out a file whose other links stay', () => {
    const root = mkdtempSync(join(tmpdir(), 'shark-du-'));
    dirs.push(root);
    mkdirSync(join(root, 'ws'));
    writeFileSync(join(root, 'object'), 'y'.repeat(100000));
    linkSync(join(root, 'object'), join(root, 'ws', 'input'));
    const alone = Number(execFileSync('du', ['-s', '-B1', '-l', join(root, 'ws')], { encoding: 'utf8' }).split('\t')[0]);
    expect(freedBytes([join(root, 'ws')])).toBeLessThan(alone);
    expect(freedBytes([join(root, 'ws')])).toBeLessThan(100000);
  });
});
