import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync, constants, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { TreeTable } from './tree-table.js';
import { Metadata } from './metadata.js';
import type { SnapshotId, SnapshotStore, TreeEntry, Workspace } from './snapshot-store.js';
import { bindMountsUnder, planCollect, RESULT_AREAS } from './zfs-collect.js';
import { classify, failureMessage, ZfsError, type ZfsFailure, type ZfsResult } from './zfs-failure.js';
import { copyIn, makeWritable, type Node, parseZfsId, scan, scanHost, ZfsCatalog, type ZfsRef } from './zfs-manifest.js';

export { classify, failureMessage, ZfsError, type ZfsFailure, type ZfsResult };

/**
 * The ZFS snapshot store (`--store zfs:POOL/DATASET`). The only module that
 * runs `zfs`, `zpool`, `mount` and `umount`.
 *
 * Under the store's dataset DS:
 *   DS/meta          the metadata database and logs (never inside a result)
 *   DS/job/NAME      one dataset per job: its workspace, then its results as
 *                    snapshots `DS/job/NAME@OUTPUT`; unmounted once disposed
 *   DS/in/NAME       host data copied in by `ingest`, snapshot `@ingest`
 *   DS/mnt/NAME-k    read-only clones through which jobs read their inputs
 *
 * An input appears in a job's workspace as a read-only bind mount of the path
 * inside a read-only clone of its snapshot: no data is copied, and nothing the
 * job does can change a snapshot. Ids are `zfs:GUID:/path` (see zfs-manifest).
 */

const SBIN = ['/sbin', '/usr/sbin', '/usr/local/sbin'];

function findBinary(name: string): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...SBIN]) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// zfs-fuse answers "dataset is busy" for a while after a mount, a write or a
// destroy; it clears within half a second. Give it 10 s before giving up.
const BUSY_DELAYS = [25, 50, 100, 100, 200, 200, ...Array<number>(46).fill(200)];

type Tool = 'zfs' | 'zpool' | 'mount' | 'umount';

const ANSWER_MS = 120_000;

/** Runs the ZFS and mount commands, retrying while zfs-fuse says "busy", and classifies failures. */
class Commands {
  private readonly env = { ...process.env, LC_ALL: 'C' };

  constructor(private readonly bins: Readonly<Record<Tool, string>>) {}

  async run(tool: Tool, args: readonly string[], about: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const r = await new Promise<{ stdout: string; stderr: string; failed: boolean }>((done) => {
        // A wedged zfs-fuse leaves commands in uninterruptible sleep: stop waiting, say so.
        const timer = setTimeout(() => done({ stdout: '', stderr: `no answer after ${ANSWER_MS / 1000} s`, failed: true }), ANSWER_MS);
        execFile(this.bins[tool], args, { env: this.env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (e, stdout, stderr) => {
          clearTimeout(timer);
          done({ stdout, stderr: stderr || (e?.message ?? ''), failed: e !== null });
        });
      });
      if (!r.failed) return r.stdout;
      const delay = BUSY_DELAYS[attempt];
      if (/busy/i.test(r.stderr) && delay !== undefined) {
        await sleep(delay);
        continue;
      }
      throw new ZfsError(classify(`${tool} ${args.join(' ')}`, r.stderr, about));
    }
  }

  runSync(tool: Tool, args: readonly string[], about: string): ZfsResult<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        const options = { env: this.env, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], timeout: ANSWER_MS };
        return { ok: true, value: execFileSync(this.bins[tool], args, options) };
      } catch (e) {
        const stderr = String((e as { stderr?: unknown }).stderr ?? '') || (e as Error).message;
        const delay = BUSY_DELAYS[attempt];
        if (/busy/i.test(stderr) && delay !== undefined) {
          sleepSync(delay);
          continue;
        }
        return { ok: false, error: classify(`${tool} ${args.join(' ')}`, stderr, about) };
      }
    }
  }
}

/** `zfs get -Hp -o name,property,value` output as name → property → value. */
function parseGet(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const line of text.split('\n')) {
    const [name, prop, value] = line.split('\t');
    if (name === undefined || prop === undefined || value === undefined) continue;
    let props = out.get(name);
    if (props === undefined) out.set(name, (props = new Map()));
    props.set(prop, value);
  }
  return out;
}

function slug(text: string, max: number): string {
  const s = text.replace(/^\/data\//, '').replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '');
  return (s || 'x').slice(0, max);
}

const AREAS = ['meta', ...RESULT_AREAS, 'mnt'] as const;

/** Read-only clones of snapshots, one per snapshot, owned by one workspace or export. */
class Clones {
  private readonly byGuid = new Map<string, { dataset: string; mnt: string }>();

  constructor(private readonly store: ZfsStore, private readonly owner: string) {}

  /** The mountpoint of a read-only clone of snapshot `guid`. */
  async get(guid: string): Promise<string> {
    const have = this.byGuid.get(guid);
    if (have !== undefined) return have.mnt;
    const snap = this.store.snapshotName(guid);
    const name = `${this.owner}-${this.byGuid.size + 1}`;
    const dataset = `${this.store.dataset}/mnt/${name}`;
    await this.store.cmd.run('zfs', ['clone', '-o', 'readonly=on', ...ownership(), snap, dataset], dataset);
    const clone = { dataset, mnt: `${this.store.mountpoint}/mnt/${name}` };
    this.byGuid.set(guid, clone);
    return clone.mnt;
  }

  async destroyAll(): Promise<void> {
    let failure: unknown;
    for (const c of this.byGuid.values()) await this.store.cmd.run('zfs', ['destroy', c.dataset], c.dataset).catch((e: unknown) => void (failure ??= e));
    this.byGuid.clear();
    if (failure !== undefined) throw failure;
  }
}

function ownership(): string[] {
  return ['-o', `shark:pid=${process.pid}`, '-o', `shark:host=${hostname()}`];
}

interface WsState {
  readonly dataset: string;
  readonly name: string;
  readonly clones: Clones;
  /** Bind mounts, in the order made. */
  readonly mounts: string[];
  /** Host directories holding the skeletons of composed trees. */
  readonly skeletons: string[];
  readonly snapshots: string[];
}

/** Opens (and on first use lays out) the store in dataset `spec` = `zfs:POOL/DATASET`. */
export function openZfsStore(spec: string): ZfsResult<{ store: ZfsStore; meta: Metadata }> {
  const dataset = spec.replace(/^zfs:/, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)*$/.test(dataset)) return { ok: false, error: { reason: 'bad-spec', spec } };
  const zfs = findBinary('zfs');
  const zpool = findBinary('zpool');
  if (zfs === undefined || zpool === undefined) return { ok: false, error: { reason: 'no-zfs' } };
  const cmd = new Commands({ zfs, zpool, mount: findBinary('mount') ?? 'mount', umount: findBinary('umount') ?? 'umount' });
  const pool = dataset.split('/')[0]!;
  const pools = cmd.runSync('zpool', ['list', '-H', '-o', 'name', pool], pool);
  if (!pools.ok) return pools;
  const got = cmd.runSync('zfs', ['get', '-Hp', '-o', 'name,property,value', 'mountpoint,mounted', dataset], dataset);
  if (!got.ok) return got;
  const props = parseGet(got.value).get(dataset);
  const mountpoint = props?.get('mountpoint') ?? '';
  if (props?.get('mounted') !== 'yes' || !mountpoint.startsWith('/')) return { ok: false, error: { reason: 'not-mounted', dataset } };
  const children = cmd.runSync('zfs', ['list', '-H', '-o', 'name', '-d', '1', '-r', dataset], dataset);
  if (!children.ok) return children;
  const have = new Set(children.value.split('\n'));
  for (const area of AREAS) {
    if (have.has(`${dataset}/${area}`)) continue;
    const made = cmd.runSync('zfs', ['create', `${dataset}/${area}`], dataset);
    if (!made.ok) return made;
  }
  const inventory = cmd.runSync('zfs', ['get', '-Hp', '-r', '-o', 'name,property,value', 'guid', dataset], dataset);
  if (!inventory.ok) return inventory;
  const live = new Map<string, string>();
  for (const [name, p] of parseGet(inventory.value)) {
    const guid = p.get('guid');
    if (guid !== undefined && name.includes('@') && RESULT_AREAS.some((a) => name.startsWith(`${dataset}/${a}/`))) live.set(guid, name);
  }
  const meta = new Metadata(`${mountpoint}/meta`);
  return { ok: true, value: { store: new ZfsStore(dataset, mountpoint, cmd, meta, live), meta } };
}

export class ZfsStore implements SnapshotStore {
  readonly kind = 'zfs';
  private readonly catalog: ZfsCatalog;
  private readonly workspaces = new Map<string, WsState>();
  private readonly trees: TreeTable;
  private readonly isLive = (guid: string): boolean => this.live.has(guid);

  /** Use `openZfsStore`. */
  constructor(
    readonly dataset: string,
    readonly mountpoint: string,
    readonly cmd: Commands,
    private readonly meta: Metadata,
    /** Snapshots that exist, GUID → name: read once at open, then kept up to date. */
    private readonly live: Map<string, string>,
  ) {
    this.catalog = new ZfsCatalog(meta);
    this.trees = new TreeTable(meta);
  }

  get location(): string {
    return `zfs:${this.dataset}`;
  }

  get metaDir(): string {
    return `${this.mountpoint}/meta`;
  }

  snapshotName(guid: string): string {
    const name = this.live.get(guid);
    if (name === undefined) throw new ZfsError({ reason: 'unknown-id', id: `zfs:${guid}` });
    return name;
  }

  async createWorkspace(label: string): Promise<Workspace> {
    const name = `${slug(label, 40)}-${randomBytes(4).toString('hex')}`;
    const dataset = `${this.dataset}/job/${name}`;
    await this.cmd.run('zfs', ['create', ...ownership(), dataset], dataset);
    const root = `${this.mountpoint}/job/${name}`;
    mkdirSync(join(root, 'data'), { recursive: true });
    this.workspaces.set(root, { dataset, name, clones: new Clones(this, name), mounts: [], skeletons: [], snapshots: [] });
    return { root };
  }

  private state(ws: Workspace): WsState {
    const st = this.workspaces.get(ws.root);
    if (st === undefined) throw new Error(`${ws.root} is not a workspace of ${this.location}`);
    return st;
  }

  async disposeWorkspace(ws: Workspace): Promise<void> {
    const st = this.workspaces.get(ws.root);
    if (st === undefined) return;
    this.workspaces.delete(ws.root);
    // Every step is tried; what is left (e.g. a clone a straggling process holds) is gc's to remove.
    let failure: unknown;
    const step = async (f: () => Promise<unknown>): Promise<void> => {
      await f().catch((e: unknown) => void (failure ??= e));
    };
    for (const m of [...st.mounts].reverse()) await step(() => this.unmount(m));
    for (const s of st.skeletons) rmSync(s, { recursive: true, force: true });
    await step(() => st.clones.destroyAll());
    const last = st.snapshots.at(-1);
    if (last === undefined) {
      await step(() => this.cmd.run('zfs', ['destroy', '-r', st.dataset], st.dataset));
    } else {
      // Keep the snapshots; drop whatever the job left beside its outputs, and the mount.
      await step(() => this.cmd.run('zfs', ['set', 'mountpoint=none', st.dataset], st.dataset));
      await step(() => this.cmd.run('zfs', ['rollback', last], st.dataset));
    }
    if (failure !== undefined) throw failure;
  }

  async commit(ws: Workspace, path: string): Promise<SnapshotId | undefined> {
    const st = this.state(ws);
    const full = ws.root + path;
    if (!exists(full)) return undefined;
    const node = scan(full);
    if (node.kind === 'link') return node.content;
    const known = this.catalog.location(node.content, this.isLive);
    if (known !== undefined) {
      // Stored already: keep it out of later snapshots of this dataset.
      rmSync(full, { recursive: true, force: true });
      return known;
    }
    let tag = slug(path, 60);
    for (let n = 2; st.snapshots.includes(`${st.dataset}@${tag}`); n++) tag = `${slug(path, 60)}-${n}`;
    const snap = await this.snapshot(st.dataset, tag);
    st.snapshots.push(snap.name);
    return this.catalog.record(snap, path, node, this.isLive);
  }

  private async full(dataset: string): Promise<boolean> {
    const out = await this.cmd.run('zfs', ['get', '-Hp', '-o', 'value', 'available', dataset], dataset).catch(() => '');
    return out.trim() === '0';
  }

  /** Takes a snapshot unless the dataset is full (its data may then be truncated). */
  private async snapshot(dataset: string, tag: string): Promise<{ guid: string; name: string; dataset: string }> {
    const name = `${dataset}@${tag}`;
    await this.cmd.run('zfs', ['snapshot', name], dataset);
    const props = parseGet(await this.cmd.run('zfs', ['get', '-Hp', '-o', 'name,property,value', 'guid,available', name, dataset], dataset));
    const guid = props.get(name)?.get('guid');
    if (props.get(dataset)?.get('available') === '0' || guid === undefined) {
      await this.cmd.run('zfs', ['destroy', name], dataset);
      if (guid === undefined) throw new ZfsError({ reason: 'failed', command: `zfs get guid ${name}`, detail: 'no guid' });
      throw new ZfsError({ reason: 'pool-full', dataset });
    }
    this.live.set(guid, name);
    return { guid, name, dataset };
  }

  /**
   * Returns the content id of the host data (what the planner predicts for
   * it), copying it into a dataset of its own unless that content is stored.
   */
  async ingest(hostPath: string): Promise<SnapshotId> {
    const seen = scanHost(hostPath, this.meta);
    if (seen.kind === 'link') return seen.content;
    if (this.catalog.location(seen.content, this.isLive) !== undefined) {
      this.putContentTrees(seen);
      return seen.content;
    }
    const name = `${slug(basename(hostPath), 40)}-${randomBytes(4).toString('hex')}`;
    const dataset = `${this.dataset}/in/${name}`;
    await this.cmd.run('zfs', ['create', ...ownership(), dataset], dataset);
    try {
      let node: Node;
      try {
        node = copyIn(hostPath, `${this.mountpoint}/in/${name}/data`);
      } catch (e) {
        // Node reports EDQUOT as UNKNOWN: ask ZFS whether the space ran out.
        if (await this.full(dataset)) throw new ZfsError({ reason: 'pool-full', dataset });
        throw e;
      }
      const snap = await this.snapshot(dataset, 'ingest');
      this.catalog.record(snap, '/data', node, this.isLive);
      await this.cmd.run('zfs', ['set', 'mountpoint=none', dataset], dataset);
      // The bytes copied are what is stored: if the file changed since it was scanned, this is its id.
      this.putContentTrees(node);
      return node.content;
    } catch (e) {
      await this.cmd.run('zfs', ['destroy', '-r', dataset], dataset).catch(() => undefined);
      throw e;
    }
  }

  /** Entries of content trees, so that the items of an ingested directory have their content ids. */
  private putContentTrees(node: Node): void {
    if (node.kind !== 'dir') return;
    for (const c of node.children) this.putContentTrees(c.node);
    if (this.meta.tree(node.content) === undefined) {
      this.meta.putTree(node.content, JSON.stringify(node.children.map((c) => ({ name: c.name, id: c.node.content }))));
    }
  }

  /** Where the bytes of `id` are: itself for a `zfs:` id, the catalog's location for content ids. */
  private locate(id: SnapshotId): ZfsRef | undefined {
    const ref = parseZfsId(id) ?? parseZfsId(this.catalog.location(id, this.isLive) ?? '');
    return ref !== undefined && this.live.has(ref.guid) ? ref : undefined;
  }

  async materialize(id: SnapshotId, ws: Workspace, path: string): Promise<void> {
    const st = this.state(ws);
    const target = ws.root + path;
    mkdirSync(dirname(target), { recursive: true });
    if (id.startsWith('link:')) {
      symlinkSync(id.slice('link:'.length), target);
      return;
    }
    if (this.locate(id) === undefined && id.startsWith('tree:')) {
      // A composed tree: a read-only skeleton of its directories, each stored item bound into place.
      const skeleton = mkdtempSync(join(tmpdir(), 'shark-tree-'));
      st.skeletons.push(skeleton);
      const leaves: { id: SnapshotId; rel: string }[] = [];
      this.skeleton(id, skeleton, '', leaves);
      mkdirSync(target, { recursive: true });
      await this.bind(st, skeleton, target);
      for (const leaf of leaves) await this.bindItem(st, leaf.id, target + leaf.rel);
      return;
    }
    placeholder(target, this.entries(id) !== undefined);
    await this.bindItem(st, id, target);
  }

  private skeleton(id: SnapshotId, dir: string, rel: string, leaves: { id: SnapshotId; rel: string }[]): void {
    for (const e of this.entries(id) ?? []) {
      const path = join(dir, e.name);
      if (e.id.startsWith('link:')) symlinkSync(e.id.slice('link:'.length), path);
      else if (this.locate(e.id) === undefined && e.id.startsWith('tree:')) {
        mkdirSync(path);
        this.skeleton(e.id, path, `${rel}/${e.name}`, leaves);
      } else {
        placeholder(path, this.entries(e.id) !== undefined);
        leaves.push({ id: e.id, rel: `${rel}/${e.name}` });
      }
    }
  }

  private async bindItem(st: WsState, id: SnapshotId, target: string): Promise<void> {
    const ref = this.locate(id);
    if (ref === undefined) throw new ZfsError({ reason: 'unknown-id', id });
    await this.bind(st, (await st.clones.get(ref.guid)) + ref.path, target);
  }

  private async bind(st: WsState, source: string, target: string): Promise<void> {
    await this.cmd.run('mount', ['--bind', '-o', 'ro', source, target], st.dataset);
    st.mounts.push(target);
  }

  private async unmount(target: string): Promise<void> {
    try {
      await this.cmd.run('umount', [target], target);
    } catch {
      // Still in use by a straggling process: detach it now, the kernel frees it when that ends.
      await this.cmd.run('umount', ['-l', target], target).catch(() => undefined);
    }
  }

  async exportTo(id: SnapshotId, hostPath: string): Promise<void> {
    const staged = `${hostPath}.shark-tmp-${process.pid}`;
    rmSync(staged, { recursive: true, force: true });
    mkdirSync(dirname(hostPath), { recursive: true });
    const clones = new Clones(this, `export-${randomBytes(4).toString('hex')}`);
    try {
      await this.copyOut(id, staged, clones);
    } finally {
      await clones.destroyAll();
    }
    rmSync(hostPath, { recursive: true, force: true });
    renameSync(staged, hostPath);
  }

  private async copyOut(id: SnapshotId, target: string, clones: Clones): Promise<void> {
    if (id.startsWith('link:')) {
      symlinkSync(id.slice('link:'.length), target);
      return;
    }
    const ref = this.locate(id);
    if (ref === undefined && id.startsWith('tree:')) {
      mkdirSync(target);
      for (const e of this.entries(id) ?? []) await this.copyOut(e.id, join(target, e.name), clones);
      return;
    }
    if (ref === undefined) throw new ZfsError({ reason: 'unknown-id', id });
    cpSync((await clones.get(ref.guid)) + ref.path, target, { recursive: true, verbatimSymlinks: true });
    makeWritable(target);
  }

  entries(id: SnapshotId): readonly TreeEntry[] | undefined {
    if (id.startsWith('zfs:')) return this.catalog.entries(id);
    return this.trees.entries(id);
  }

  composeTree(entries: readonly TreeEntry[]): SnapshotId {
    return this.trees.compose(entries);
  }

  has(id: SnapshotId): boolean {
    if (id.startsWith('link:')) return true;
    if (id.startsWith('tree:')) return this.locate(id) !== undefined || this.entries(id) !== undefined;
    if (id.startsWith('zfs:')) return this.locate(id) !== undefined && this.catalog.isObject(id);
    return this.locate(id) !== undefined;
  }

  describe(id: SnapshotId): string | undefined {
    const ref = this.locate(id) ?? parseZfsId(id);
    if (ref !== undefined) {
      const name = this.live.get(ref.guid) ?? this.catalog.snapshot(ref.guid)?.name;
      return name === undefined ? undefined : `${name}:${ref.path}`;
    }
    if (!id.startsWith('tree:')) return undefined;
    const names = new Set<string>();
    const walk = (t: SnapshotId): void => {
      for (const e of this.entries(t) ?? []) {
        const r = this.locate(e.id);
        if (r !== undefined) names.add(this.live.get(r.guid) ?? `zfs:${r.guid}`);
        else if (e.id.startsWith('tree:')) walk(e.id);
      }
    };
    walk(id);
    const list = [...names];
    if (list.length === 0) return undefined;
    return list.length <= 3 ? list.join(', ') : `${list.slice(0, 2).join(', ')} and ${list.length - 2} more snapshots`;
  }

  async collect(keep: ReadonlySet<SnapshotId>, dryRun: boolean): Promise<{ count: number; bytes: number }> {
    const wanted = new Set<string>();
    const seen = new Set<SnapshotId>();
    const mark = (id: SnapshotId): void => {
      if (seen.has(id)) return;
      seen.add(id);
      const ref = this.locate(id);
      if (ref !== undefined) wanted.add(ref.guid);
      for (const e of this.entries(id) ?? []) mark(e.id);
    };
    for (const id of keep) mark(id);
    const plan = planCollect(this.dataset, await this.inventory(), wanted, (name, props) => this.inUse(name, props));
    if (!dryRun) {
      for (const target of plan.unmount) await this.unmount(target);
      for (const ds of plan.clones) await this.cmd.run('zfs', ['destroy', ds], ds).catch(() => undefined);
    }
    let count = 0;
    let bytes = 0;
    const gone: string[] = [];
    for (const d of plan.destroy) {
      if (!dryRun) {
        try {
          await this.cmd.run('zfs', d.whole ? ['destroy', '-r', d.name] : ['destroy', d.name], d.name);
        } catch {
          continue; // e.g. a running job has a clone of it: it stays until the next gc
        }
        gone.push(...d.guids);
        for (const g of d.guids) this.live.delete(g);
      }
      count += d.count;
      bytes += d.bytes;
    }
    if (!dryRun) this.catalog.forget([...gone, ...this.catalog.snapshots().filter((s) => !this.live.has(s.guid)).map((s) => s.guid)]);
    return { count, bytes };
  }

  private async inventory(): Promise<Map<string, Map<string, string>>> {
    const props = 'type,guid,used,origin,mountpoint,shark:pid,shark:host';
    const all = new Map<string, Map<string, string>>();
    for (const area of [...RESULT_AREAS, 'mnt']) {
      const ds = `${this.dataset}/${area}`;
      for (const [k, v] of parseGet(await this.cmd.run('zfs', ['get', '-Hp', '-r', '-o', 'name,property,value', props, ds], ds))) {
        if (k !== ds) all.set(k, v);
      }
    }
    return all;
  }

  /** Whether a dataset belongs to a job or ingest still running (here or in another live process). */
  private inUse(name: string, props: Map<string, string>): boolean {
    const pid = Number(props.get('shark:pid'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    if (props.get('shark:host') !== hostname()) return true;
    if (pid === process.pid) {
      for (const ws of this.workspaces.values()) {
        if (name === ws.dataset || name.startsWith(`${this.dataset}/mnt/${ws.name}-`)) return true;
      }
      return false;
    }
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  close(): void {
    this.trees.clear();
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** An empty directory or file for a bind mount to cover. */
function placeholder(path: string, dir: boolean): void {
  if (dir) mkdirSync(path, { recursive: true });
  else if (!existsSync(path)) writeFileSync(path, '');
}

/** Test and bench support: make or remove a dataset to hold a store (the only other use of `zfs`). */
export async function createDataset(dataset: string, options: Readonly<Record<string, string>> = {}): Promise<ZfsResult<void>> {
  const zfs = findBinary('zfs');
  if (zfs === undefined) return { ok: false, error: { reason: 'no-zfs' } };
  const cmd = new Commands({ zfs, zpool: zfs, mount: 'mount', umount: 'umount' });
  const opts = Object.entries(options).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  try {
    await cmd.run('zfs', ['create', '-p', ...opts, dataset], dataset);
    return { ok: true, value: undefined };
  } catch (e) {
    return { ok: false, error: e instanceof ZfsError ? e.failure : { reason: 'failed', command: 'zfs create', detail: String(e) } };
  }
}

export async function destroyDataset(dataset: string): Promise<void> {
  const zfs = findBinary('zfs');
  if (zfs === undefined) return;
  const cmd = new Commands({ zfs, zpool: zfs, mount: 'mount', umount: 'umount' });
  const mp = (await cmd.run('zfs', ['get', '-H', '-o', 'value', 'mountpoint', dataset], dataset).catch(() => '')).trim();
  if (mp.startsWith('/')) for (const m of bindMountsUnder(mp)) await cmd.run('umount', ['-l', m], m).catch(() => undefined);
  await cmd.run('zfs', ['destroy', '-r', '-R', dataset], dataset).catch(() => undefined);
}

/**
 * Why a store cannot be made under `parent`, or undefined when it can. The
 * daemon can answer `zfs` and still not serve its mounts (zfs-fuse wedged):
 * then listing the mountpoint never returns, so it is tried with a deadline.
 */
export async function zfsUnavailable(parent: string): Promise<string | undefined> {
  const zfs = findBinary('zfs');
  if (zfs === undefined) return failureMessage({ reason: 'no-zfs' });
  const cmd = new Commands({ zfs, zpool: zfs, mount: 'mount', umount: 'umount' });
  let props: Map<string, string> | undefined;
  try {
    props = parseGet(await cmd.run('zfs', ['get', '-H', '-o', 'name,property,value', 'mounted,mountpoint', parent], parent)).get(parent);
  } catch (e) {
    return e instanceof ZfsError ? e.message : String(e);
  }
  const mountpoint = props?.get('mountpoint') ?? '';
  if (props?.get('mounted') !== 'yes' || !mountpoint.startsWith('/')) return failureMessage({ reason: 'not-mounted', dataset: parent });
  const answered = await new Promise<boolean>((done) => {
    const child = spawn('ls', [mountpoint], { stdio: 'ignore', detached: true });
    const timer = setTimeout(() => {
      child.unref(); // stuck in the kernel: it cannot be killed, only left behind
      done(false);
    }, 15_000);
    child.on('error', () => done(false));
    child.on('exit', (code) => {
      clearTimeout(timer);
      done(code === 0);
    });
  });
  if (!answered) return failureMessage({ reason: 'no-daemon', detail: `listing ${mountpoint} does not return: zfs-fuse is wedged and must be restarted` });
  return undefined;
}

/** Test support: the datasets or snapshots under `dataset` (not itself). */
export async function datasetsUnder(dataset: string, type: 'filesystem' | 'snapshot'): Promise<string[]> {
  const zfs = findBinary('zfs');
  if (zfs === undefined) return [];
  const cmd = new Commands({ zfs, zpool: zfs, mount: 'mount', umount: 'umount' });
  const out = await cmd.run('zfs', ['list', '-H', '-o', 'name', '-t', type, '-r', dataset], dataset);
  return out.split('\n').filter((n) => n !== '' && n !== dataset).sort();
}
