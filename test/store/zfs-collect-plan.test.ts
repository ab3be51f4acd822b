import { describe, expect, it } from 'vitest';
import { planCollect } from '../../src/store/zfs/collect.js';
import { parseGet } from '../../src/store/zfs/commands.js';

/** An inventory as `zfs get -Hp -r` gives it: name → property → value. */
function inventory(rows: Record<string, Record<string, string>>): Map<string, Map<string, string>> {
  return new Map(Object.entries(rows).map(([name, props]) => [name, new Map(Object.entries(props))]));
}

const ROOT = 'pool/shark';
const dead = { 'shark:pid': '999999999', 'shark:host': 'nowhere' };
const job = (name: string): Record<string, Record<string, string>> => ({
  [`${ROOT}/job/${name}`]: { type: 'filesystem', mountpoint: 'none', used: '300', origin: '-' },
  [`${ROOT}/job/${name}@1`]: { type: 'snapshot', guid: `${name}1`, used: '100', createtxg: '1' },
  [`${ROOT}/job/${name}@2`]: { type: 'snapshot', guid: `${name}2`, used: '100', createtxg: '2' },
});
// Shark's own datasets are in use only while their process lives; one without `shark:pid` is a user's, never gc's.
const inUse = (_: string, p: Map<string, string>): boolean => p.get('shark:pid') === undefined;

describe('what gc destroys on ZFS', () => {
  it('keeps, and does not count, a snapshot a clone gc leaves depends on: a dry run counted it, --delete could not destroy it', () => {
    const inv = inventory({
      ...job('a'), ...job('b'), ...job('c'),
      // A user's clone inside the store's areas (no shark:pid), to look at b@1.
      [`${ROOT}/job/look`]: { type: 'filesystem', mountpoint: '/x', used: '1', origin: `${ROOT}/job/b@1` },
      // A dead run's read-only clone of c@1: destroyed first, so c@1 goes too.
      [`${ROOT}/mnt/ws-1`]: { type: 'filesystem', mountpoint: '/y', used: '1', origin: `${ROOT}/job/c@1`, ...dead },
    });
    for (const props of inv.values()) if (props.get('type') === 'filesystem' && !props.has('shark:pid') && props.get('origin') === '-') Object.entries(dead).forEach(([k, v]) => props.set(k, v));
    // a@1 is what a clone elsewhere in the pool was made of.
    const plan = planCollect(ROOT, inv, new Set(['a2', 'b2', 'c2']), inUse, new Set([`${ROOT}/job/a@1`]));
    expect(plan.destroy.map((d) => d.name).sort()).toEqual([`${ROOT}/job/c@1`]);
    expect(plan.clones).toEqual([`${ROOT}/mnt/ws-1`]);
  });

  it('destroys a dataset whole when none of its snapshots is wanted or cloned', () => {
    const inv = inventory(job('a'));
    for (const props of inv.values()) if (props.get('type') === 'filesystem') Object.entries(dead).forEach(([k, v]) => props.set(k, v));
    const plan = planCollect(ROOT, inv, new Set(), inUse);
    expect(plan.destroy.map((d) => [d.name, d.whole, d.count])).toEqual([[`${ROOT}/job/a`, true, 2]]);
    const cloned = planCollect(ROOT, inv, new Set(), inUse, new Set([`${ROOT}/job/a@2`]));
    expect(cloned.destroy.map((d) => [d.name, d.whole, d.count])).toEqual([[`${ROOT}/job/a@1`, false, 1]]);
  });

  it('does not destroy whole (with -r) a dead run\'s dataset that holds one of a user\'s: only its unwanted snapshots go', () => {
    const inv = inventory({
      ...job('a'),
      // Made by a user inside it: no shark:pid of its own (an inherited one is not taken: parseGet).
      [`${ROOT}/job/a/mine`]: { type: 'filesystem', mountpoint: '/m', used: '5', origin: '-' },
      [`${ROOT}/job/a/mine@keep`]: { type: 'snapshot', guid: 'mine1', used: '5', createtxg: '3' },
    });
    Object.entries(dead).forEach(([k, v]) => inv.get(`${ROOT}/job/a`)!.set(k, v));
    const plan = planCollect(ROOT, inv, new Set(), inUse);
    expect(plan.destroy.map((d) => [d.name, d.whole])).toEqual([[`${ROOT}/job/a@1`, false], [`${ROOT}/job/a@2`, false]]);
    // Left mounted by the run that died: left so, not finished (nothing of it is wanted).
    inv.get(`${ROOT}/job/a`)!.set('mountpoint', '/w');
    const mounted = planCollect(ROOT, inv, new Set(), inUse);
    expect(mounted.destroy.map((d) => d.name)).toEqual([`${ROOT}/job/a@1`, `${ROOT}/job/a@2`]);
    expect(mounted.finish).toEqual([]);
  });
  it('leaves a dead run\'s read-only clone a user took a snapshot of, and what it was cloned from: ZFS refuses to destroy either', () => {
    const inv = inventory({
      ...job('c'),
      [`${ROOT}/mnt/ws-1`]: { type: 'filesystem', mountpoint: '/y', used: '1', origin: `${ROOT}/job/c@1`, ...dead },
      [`${ROOT}/mnt/ws-1@look`]: { type: 'snapshot', guid: 'look1', used: '0', createtxg: '9' },
    });
    Object.entries(dead).forEach(([k, v]) => inv.get(`${ROOT}/job/c`)!.set(k, v));
    const plan = planCollect(ROOT, inv, new Set(['c2']), inUse);
    expect(plan.clones).toEqual([]);
    expect(plan.destroy.map((d) => d.name)).toEqual([]);
  });
});

describe('zfs get output (parseGet)', () => {
  it('takes a property set on the dataset, not one it inherits from a dataset above it', () => {
    const text = [
      'pool/shark/job/ws\tshark:pid\t4242\tlocal',
      'pool/shark/job/ws/mine\tshark:pid\t4242\tinherited from pool/shark/job/ws',
      'pool/shark/job/ws/mine\ttype\tfilesystem\t-',
      'pool/shark/job/ws@1\tguid\t77\t-',
    ].join('\n');
    const got = parseGet(text);
    expect(got.get('pool/shark/job/ws')?.get('shark:pid')).toBe('4242');
    expect(got.get('pool/shark/job/ws/mine')?.has('shark:pid')).toBe(false);
    expect(got.get('pool/shark/job/ws/mine')?.get('type')).toBe('filesystem');
    expect(got.get('pool/shark/job/ws@1')?.get('guid')).toBe('77');
  });
});
