import type { ImportClause } from '../pipeline/import-clause.js';
import type { LinkFollower } from '../store/content-id.js';

/**
 * A pinned source: what exactly an import clause names, for example a Zenodo
 * record and file with its checksum, or a commit SHA. It enters the cache key
 * of the import job and its lineage record.
 */
export type Pin = Readonly<Record<string, string | number>>;

export interface ImportContext {
  /** The pipeline's directory (local paths are relative to it). */
  readonly pipelineDir: string;
  /** A pin recorded earlier in the lock file, if any. */
  readonly locked: Pin | undefined;
  /** Re-resolve moving references (branches, unpinned URLs) instead of trusting the lock. */
  readonly refresh: boolean;
  readonly signal: AbortSignal;
  readonly progress: (done: number, total: number | undefined) => void;
  /** Reads a local file's content hash through the stat cache. */
  readonly hashFile: (path: string) => string;
  /**
   * The content id of a local directory (`contentId`), its files hashed many
   * at a time through the stat cache, and its trees made known to the store:
   * what a local import of a million files is pinned by. `links` says
   * which of its links are followed (`local-links.ts`).
   */
  readonly hashTree?: (path: string, links: LinkFollower) => Promise<string>;
  /**
   * Stores a local directory as it is (`SnapshotStore.ingest`): the files
   * the stat cache knows, and the store holds, are not read nor copied
   * again. A directory's import takes it in so, where the store is one of
   * content ids, rather than copying every file into the job's workspace to
   * store it again (5,000 files after one changed: 3 s, now a walk).
   */
  readonly ingest?: (path: string, links: LinkFollower, signal: AbortSignal) => Promise<string>;
  /**
   * The values of the document's secrets, for a URL that names one
   * (`?token=%{TOKEN}`): put in only to fetch (`secret-url.ts`). Absent or
   * without the name where the command has none (a plan).
   */
  readonly secrets?: ReadonlyMap<string, string>;
}

export type ResolveOutcome = { readonly ok: true; readonly pin: Pin } | { readonly ok: false; readonly message: string };
/** `stored`: DEST as stored already (a local directory taken in by `ingest`), nothing of it in the job's workspace. */
export type FetchOutcome = { readonly ok: true; readonly pin: Pin; readonly stored?: string } | { readonly ok: false; readonly message: string };

export interface Importer {
  /**
   * Pins the clause without downloading content where the source allows it
   * (plan). May return the locked pin unchanged.
   */
  resolve(clause: ImportClause, ctx: ImportContext): Promise<ResolveOutcome>;
  /** Fetches the pinned source into `dest` (a host path that does not exist yet), verifying checksums. */
  fetch(clause: ImportClause, pin: Pin, dest: string, ctx: ImportContext): Promise<FetchOutcome>;
}
