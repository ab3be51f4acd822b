/** What can go wrong with the ZFS store, as values, and how to say it. */

export type ZfsFailure =
  | { readonly reason: 'bad-spec'; readonly spec: string }
  | { readonly reason: 'inside-store'; readonly spec: string; readonly store: string; readonly area: string }
  | { readonly reason: 'no-zfs' }
  | { readonly reason: 'no-daemon'; readonly detail: string }
  | { readonly reason: 'permission'; readonly command: string }
  | { readonly reason: 'no-pool'; readonly pool: string }
  | { readonly reason: 'no-dataset'; readonly dataset: string }
  | { readonly reason: 'not-mounted'; readonly dataset: string }
  | { readonly reason: 'pool-full'; readonly dataset: string }
  | { readonly reason: 'unknown-id'; readonly id: string }
  | { readonly reason: 'exists'; readonly dataset: string }
  | { readonly reason: 'unsafe-path'; readonly path: string; readonly detail: string }
  | { readonly reason: 'failed'; readonly command: string; readonly detail: string };

export type ZfsResult<T> = { ok: true; value: T } | { ok: false; error: ZfsFailure };

export function failureMessage(f: ZfsFailure): string {
  switch (f.reason) {
    case 'bad-spec':
      return `${f.spec} is no ZFS dataset name: expected zfs:POOL/DATASET, each part letters, digits, '_', '-', ':' and '.', and none . or ..`;
    case 'inside-store':
      return `${f.spec} is inside the store zfs:${f.store} (its ${f.area}/ area, whose datasets that store's runs and gc make and destroy): name a dataset outside it`;
    case 'no-zfs':
      return 'the zfs command was not found (install OpenZFS or zfs-fuse; looked in PATH, /sbin, /usr/sbin)';
    case 'no-daemon':
      return `ZFS is not answering (${f.detail}); is the zfs-fuse daemon running? (scripts/services/start-zfs.sh)`;
    case 'permission':
      return `permission denied running \`${f.command}\`: the ZFS store needs root (zfs, mount --bind)`;
    case 'no-pool':
      return `ZFS pool ${f.pool} does not exist (zpool list shows the pools)`;
    case 'no-dataset':
      return `ZFS dataset ${f.dataset} does not exist; create it with \`zfs create ${f.dataset}\``;
    case 'not-mounted':
      return `ZFS dataset ${f.dataset} is not mounted (the store needs a mountpoint; \`zfs mount ${f.dataset}\`)`;
    case 'pool-full':
      return `no space left in ZFS dataset ${f.dataset} (pool full or quota reached); nothing was committed`;
    case 'unknown-id':
      return `${f.id} is not a snapshot of this ZFS store`;
    case 'exists':
      return `ZFS dataset ${f.dataset} exists already`;
    case 'unsafe-path':
      return `refusing to mount at or from ${f.path}: ${f.detail} (stored links are data, never followed)`;
    case 'failed':
      return `\`${f.command}\` failed: ${f.detail}`;
    default:
      return unreachable(f);
  }
}

function unreachable(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

/** A ZFS failure surfacing through the store port, whose async methods can only reject. */
export class ZfsError extends Error {
  constructor(readonly failure: ZfsFailure) {
    super(failureMessage(failure));
    this.name = 'ZfsError';
  }
}

/** What a failed command's message means; `dataset` is the one the command was about. */
export function classify(command: string, stderr: string, dataset: string): ZfsFailure {
  const detail = stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join('; ');
  if (/permission denied|operation not permitted|must be superuser/i.test(stderr)) return { reason: 'permission', command };
  if (/failed to initialize ZFS library|connect:|unable to connect/i.test(stderr)) return { reason: 'no-daemon', detail };
  const pool = /cannot open '([^']+)': no such pool/.exec(stderr);
  if (pool !== null) return { reason: 'no-pool', pool: pool[1]! };
  const missing = /cannot open '([^']+)': dataset does not exist/.exec(stderr);
  if (missing !== null) return { reason: 'no-dataset', dataset: missing[1]! };
  const exists = /cannot create '([^']+)': dataset already exists/.exec(stderr);
  if (exists !== null) return { reason: 'exists', dataset: exists[1]! };
  if (/out of space|no space left|quota exceeded/i.test(stderr)) return { reason: 'pool-full', dataset };
  return { reason: 'failed', command, detail: detail || 'no message' };
}
