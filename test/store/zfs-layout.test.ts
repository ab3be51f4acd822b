import { describe, expect, it } from 'vitest';
import { failureMessage } from '../../src/store/zfs/failure.js';
import { layOut } from '../../src/store/zfs/layout.js';

describe('a --store zfs: name ZFS would refuse', () => {
  it.each(['zfs:sharkpool/qa-AA/../x', 'zfs:sharkpool/./x', 'zfs:sharkpool/a b', 'zfs:/sharkpool'])('%s is refused as a name before zfs is asked, never suggested to zfs create', (spec) => {
    const laid = layOut(spec);
    expect(laid.ok).toBe(false);
    if (laid.ok) return;
    expect(failureMessage(laid.error)).toBe(`${spec} is no ZFS dataset name: expected zfs:POOL/DATASET, each part letters, digits, '_', '-', ':' and '.', and none . or ..`);
  });
});
