import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { storedMs } from '../../src/store/object-file.js';
import { stageSmall, writeObjectFile } from '../../src/store/object-write.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'shark-object-write-'));
  dirs.push(d);
  return d;
}

it('gives an object its stored mode whatever the umask took, and returns the record of the file as it is left', () => {
  const d = dir();
  const before = process.umask(0o277);
  try {
    const st = writeObjectFile(join(d, 'a'), Buffer.from('bytes\n'), false, undefined);
    const x = writeObjectFile(join(d, 'x'), Buffer.from('#!/bin/sh\n'), true, undefined);
    expect(lstatSync(join(d, 'a')).mode & 0o7777).toBe(0o444);
    expect(lstatSync(join(d, 'x')).mode & 0o7777).toBe(0o555);
    expect(st.mode & 0o7777).toBe(0o444);
    expect(st.mtimeMs).toBe(storedMs(st.size));
    expect(st.ctimeMs).toBe(lstatSync(join(d, 'a')).ctimeMs);
    expect(x.ino).toBe(lstatSync(join(d, 'x')).ino);
  } finally {
    process.umask(before);
  }
  expect(readFileSync(join(d, 'a'), 'utf8')).toBe('bytes\n');
});

it.runIf(process.getuid?.() === 0)('as root, gives a staged input the store owner\'s uid and gid, and says so in its record', () => {
  const d = dir();
  writeFileSync(join(d, 'in.txt'), 'input\n');
  const staged = stageSmall(join(d, 'in.txt'), join(d, 'staged'), 1024, { uid: 1234, gid: 2345 });
  expect('hex' in staged).toBe(true);
  const st = lstatSync(join(d, 'staged'));
  expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1234, 2345, 0o444]);
  expect(st.mtimeMs).toBe(storedMs(st.size));
});
