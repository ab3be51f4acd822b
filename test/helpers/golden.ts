import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOLDEN = join(ROOT, 'test', 'golden');

/**
 * Compares `actual` with `test/golden/NAME` as a whole string. With
 * UPDATE_GOLDEN=1 the file is rewritten instead: review the diff by eye
 * before committing it, since a golden records what is right, not what runs.
 */
export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`no golden file test/golden/${name}: run with UPDATE_GOLDEN=1 to create it, then review it`);
  }
  expect(actual).toBe(expected);
}
