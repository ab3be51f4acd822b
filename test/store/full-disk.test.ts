import { describe, expect, it } from 'vitest';
import { diskFull, writeFailure } from '../../src/store/full-disk.js';

/** A quota reached is a full disk: Node's libuv has no name for EDQUOT, so it says "Unknown system error -122". */
describe('a write refused for want of space', () => {
  const quota = Object.assign(new Error("Unknown system error -122: Unknown system error -122, open '/sharkpool/s/meta/logs/4/job.log'"), { errno: -122, code: 'Unknown system error -122', syscall: 'open' });

  it('counts a quota reached (EDQUOT by its number) as a full disk', () => {
    expect(diskFull(quota)).toBe(true);
    expect(diskFull(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(true);
    expect(diskFull(Object.assign(new Error('denied'), { code: 'EACCES', errno: -13 }))).toBe(false);
  });

  it('says it in words, naming the file', () => {
    expect(writeFailure(quota)).toBe("disk quota exceeded (EDQUOT), open '/sharkpool/s/meta/logs/4/job.log'");
    expect(writeFailure(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC' }))).toBe('ENOSPC: no space left on device, write');
  });
});
