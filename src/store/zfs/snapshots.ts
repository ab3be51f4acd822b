import type { SnapshotRow, ZfsCatalog } from './catalog.js';
import type { Commands } from './commands.js';
import { ZfsError } from './failure.js';

/**
 * Which of the catalog's snapshots exist: read once at open, kept up to date
 * by this process, and asked of ZFS for a snapshot another process made
 * since (a concurrent run's result must be usable here at once).
 */
export class Snapshots {
  /** GUIDs asked about and found gone: a GUID is never reused. */
  private readonly gone = new Set<string>();

  constructor(
    private readonly cmd: Commands,
    private readonly catalog: ZfsCatalog,
    /** GUID → snapshot name. */
    private readonly live: Map<string, string>,
  ) {}

  readonly isLive = (guid: string): boolean => {
    if (this.live.has(guid)) return true;
    if (this.gone.has(guid)) return false;
    const row = this.catalog.snapshot(guid);
    const got = row === undefined ? undefined : this.cmd.getSync('guid', [row.name]);
    if (row !== undefined && got?.ok === true && got.value.get(row.name)?.get('guid') === guid) {
      this.live.set(guid, row.name);
      return true;
    }
    this.gone.add(guid);
    return false;
  };

  name(guid: string): string | undefined {
    return this.isLive(guid) ? this.live.get(guid) : undefined;
  }

  nameOrThrow(guid: string): string {
    const name = this.name(guid);
    if (name === undefined) throw new ZfsError({ reason: 'unknown-id', id: `zfs:${guid}` });
    return name;
  }

  forget(guid: string): void {
    this.live.delete(guid);
    this.gone.add(guid);
  }

  /** Takes snapshot `dataset@tag` unless the dataset is full (its data may then be truncated). */
  async take(dataset: string, tag: string): Promise<SnapshotRow> {
    const name = `${dataset}@${tag}`;
    await this.cmd.run('zfs', ['snapshot', name], dataset);
    const props = await this.cmd.get('guid,available', [name, dataset]);
    const guid = props.get(name)?.get('guid');
    if (props.get(dataset)?.get('available') === '0' || guid === undefined) {
      await this.cmd.run('zfs', ['destroy', name], dataset);
      if (guid === undefined) throw new ZfsError({ reason: 'failed', command: `zfs get guid ${name}`, detail: 'no guid' });
      throw new ZfsError({ reason: 'pool-full', dataset });
    }
    this.live.set(guid, name);
    return { guid, name, dataset };
  }

  /** Whether `dataset` has no space left (Node reports EDQUOT as UNKNOWN: ask ZFS). */
  async full(dataset: string): Promise<boolean> {
    const out = await this.cmd.run('zfs', ['get', '-Hp', '-o', 'value', 'available', dataset], dataset).catch(() => '');
    return out.trim() === '0';
  }
}
