import type { CasObjects } from './cas-objects.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';
import { leavesOf, type TreeChecksAhead } from './tree-check.js';

/**
 * Whether the content-addressed store holds a snapshot, every byte of it
 * as far as a `stat` tells: a file's object is sound, a tree's leaves all
 * are. Trees found whole are remembered for the process (forgotten when
 * anything is quarantined or collected), so a plan checks each once.
 */
export class CasPresence {
  private readonly soundTrees = new Set<SnapshotId>();

  constructor(
    private readonly objects: CasObjects,
    private readonly entries: (id: SnapshotId) => readonly TreeEntry[] | undefined,
    private readonly ahead: TreeChecksAhead,
  ) {}

  has(id: SnapshotId): boolean {
    if (id.startsWith('link:')) return true;
    if (!id.startsWith('tree:')) return this.objects.check(id) === 'ok';
    if (this.soundTrees.has(id)) return true;
    const children = this.entries(id);
    if (children === undefined || !children.every((e) => this.has(e.id))) return false;
    this.soundTrees.add(id);
    return true;
  }

  /** Checks many objects at once (their records read in batches): `has` then answers from memory. */
  async preload(ids: readonly SnapshotId[]): Promise<void> {
    await this.objects.checkManyAhead(ids.filter((id) => !id.startsWith('tree:') && !id.startsWith('link:')));
  }

  /**
   * `has` of every one of these trees, each of as many entries as given,
   * their leaves checked in bulk without remembering each
   * (`CasObjects.allSound`), or by the check `checkAhead` started for them.
   */
  async holdsTrees(trees: ReadonlyMap<SnapshotId, number>): Promise<boolean> {
    const ahead = await this.ahead.take(trees);
    const whole = ahead !== undefined ? ahead.whole && this.objects.soundOnceJudged(ahead.unsure) : await this.checkNow(trees);
    if (whole) for (const id of trees.keys()) this.soundTrees.add(id);
    return whole;
  }

  /** Starts the checks of these trees on workers, for `holdsTrees` of the same trees later (`SnapshotStore.checkTreesAhead`). */
  checkAhead(checks: readonly ReadonlyMap<SnapshotId, number>[]): void {
    this.ahead.drop();
    for (const trees of checks) this.ahead.start(trees);
  }

  /** Stops the check `checkAhead` started of these trees (`SnapshotStore.forgoTreeCheck`). */
  forgoCheck(trees: ReadonlyMap<SnapshotId, number>): void {
    this.ahead.forgo(trees);
  }

  private async checkNow(trees: ReadonlyMap<SnapshotId, number>): Promise<boolean> {
    const leaves = leavesOf(trees, (id) => this.entries(id)?.map((e) => e.id), (id) => this.soundTrees.has(id));
    return leaves !== undefined && (await this.objects.allSound(leaves));
  }

  /** A tree every object of which was just found sound or stored (an input's ingest). */
  vouch(id: SnapshotId): void {
    if (id.startsWith('tree:')) this.soundTrees.add(id);
  }

  /** After an object was quarantined or collected: no tree is known whole any more. */
  forget(): void {
    this.soundTrees.clear();
    this.ahead.drop();
  }
}
