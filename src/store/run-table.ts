import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { holderAlive, ownStart, type HolderRow } from './liveness.js';
import type { RunRow } from './metadata-schema.js';
import { realParents, realPath } from '../real-path.js';
import { VERSION } from '../version.js';

/** A job's log in a store: `STORE/logs/RUN/NAME.log` (a name holds no `/`). */
const LOG_TAIL = /^(.*)\/logs\/(\d+\/[^/]+)$/;

const SHELL_MARK = ' (shark shell)';

/**
 * What a `shark shell` session's run is recorded under: its document's path
 * (FILE's, or `shell.md` of the directory), marked, so that it is no
 * document's run. The session's steps are steps of the document it saves,
 * not of FILE: were it FILE's latest run, it would hide the run that made
 * FILE's results from lineage, logs and exports. It is still a run while the
 * prompt is open, so that `gc --delete` waits for it: the session's /data is
 * trees of the store that no result holds.
 */
export const shellRunOf = (pipeline: string): string => `${pipeline}${SHELL_MARK}`;

/**
 * The `runs` table. A run is recorded under its document's absolute path
 * and under its `place`: that path from the directory holding the store.
 * A project moved or renamed with its `.shark/` inside keeps its place, so
 * its runs are still its own; a document moved without its store does not.
 */
export class RunTable {
  private readonly parent: string;
  private readonly logs: string;
  private readonly whereNow = new Map<string, string>();

  constructor(private readonly db: Database.Database, storeDir: string) {
    this.parent = dirname(realPath(storeDir));
    this.logs = join(resolve(storeDir), 'logs') + sep;
  }

  /**
   * Gives runs recorded before places were (or by an older Shark since) the
   * place they have from where the store is now: right unless the store
   * moved in between, and then harmless (that place is the old path's).
   */
  static migrate(storeDir: string): (db: Database.Database) => void {
    const parent = dirname(realPath(storeDir));
    return (db) => {
      const rows = db.prepare<[], { id: number; pipeline: string }>('SELECT id, pipeline FROM runs WHERE place IS NULL').all();
      const log = db.prepare<[number], { log: string }>('SELECT log FROM run_jobs WHERE run_id = ? AND log IS NOT NULL LIMIT 1');
      const put = db.prepare('UPDATE runs SET place = ? WHERE id = ?');
      for (const r of rows) {
        // Where the store was when the run wrote its logs (absolute paths into it): the store may have moved since.
        const then = LOG_TAIL.exec(log.get(r.id)?.log ?? '');
        const at = then !== null && isAbsolute(then[1]!) ? dirname(realPath(then[1]!)) : parent;
        put.run(relative(at, realParents(r.pipeline)), r.id);
      }
      // Shell sessions an older Shark recorded as runs of FILE itself (their summary says so) are moved off it.
      db.prepare(`UPDATE runs SET pipeline = pipeline || @mark, place = place || @mark
        WHERE summary = '{"shell":true}' AND substr(pipeline, -length(@mark)) <> @mark`).run({ mark: SHELL_MARK });
    };
  }

  /**
   * Where a run's document is now: by its place when it has one (a project
   * moved with its store), else the path it had. A store moved away from its
   * project (given by `--store` since) places it nowhere: the path it had,
   * still there, is where it is. `byPlace` keeps to the place: a project
   * copied with its store, that document removed from the copy, has it
   * nowhere, not in the original project (whose store is another).
   */
  documentAt(d: { readonly pipeline: string; readonly place: string | null }, byPlace = false): string {
    if (d.place === null) return d.pipeline;
    const placed = join(this.parent, d.place);
    if (placed === d.pipeline || byPlace) return placed;
    // Asked once per document: `why` asks it for every result that made some bytes.
    const key = `${d.pipeline}\0${placed}`;
    let at = this.whereNow.get(key);
    if (at === undefined) this.whereNow.set(key, (at = !existsSync(placed) && existsSync(d.pipeline) ? d.pipeline : placed));
    return at;
  }

  /**
   * A run's log path as recorded (inside the store where it was then) in
   * the store where it is now: a store moved, or mounted elsewhere, still
   * shows its logs.
   */
  logAt(recorded: string): string {
    if (recorded.startsWith(this.logs)) return recorded;
    const tail = LOG_TAIL.exec(recorded);
    return tail === null ? recorded : join(this.logs, tail[2]!);
  }

  /**
   * A document's place: its path from the directory that really holds the
   * store. Both are taken with links followed, so two projects each linking
   * one shared store as `store/` place their `p.md` apart. Runs recorded
   * from a link's directory before are still found by their absolute path.
   */
  private placeOf(pipeline: string): string {
    return relative(this.parent, realParents(pipeline));
  }

  /**
   * Records a run of `pipeline` starting, with the sha256 of the document's text it read and the variables it gives its
   * jobs (none for a shell session).
   */
  start(pipeline: string, document: string | null = null, variables: readonly (readonly [string, string])[] | null = null): number {
    const now = Date.now();
    const info = this.db.prepare('INSERT INTO runs (pipeline, place, started, status, pid, pid_start, host, beat, version, document, variables) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(pipeline, this.placeOf(pipeline), now, 'running', process.pid, ownStart(), hostname(), now, VERSION, document, variables === null ? null : JSON.stringify(variables));
    return Number(info.lastInsertRowid);
  }

  end(id: number, status: string, summary: object): void {
    this.db.prepare('UPDATE runs SET ended = ?, status = ?, summary = ? WHERE id = ?').run(Date.now(), status, JSON.stringify(summary), id);
  }

  /** Takes back a run that was refused before it began any job (an input it cannot read): it leaves no row. */
  forget(id: number): void {
    this.db.prepare('DELETE FROM runs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM run_jobs WHERE run_id = ?)').run(id, id);
  }

  /** A live run's heartbeat: how a run on another host sharing the store is known to be alive. */
  beat(id: number): void {
    try {
      this.db.prepare('UPDATE runs SET beat = ? WHERE id = ?').run(Date.now(), id);
    } catch {
      // A busy database: the next beat will do.
    }
  }

  /**
   * The runs of a document, by its path or its place, newest first, with a
   * `running` run whose process is gone shown as `interrupted`.
   */
  of(pipeline: string): RunRow[] {
    return this.db.prepare<[string, string], RunRow & HolderRow>(
      'SELECT id, pipeline, started, ended, status, pid, pid_start, host, beat, version, document FROM runs WHERE pipeline = ? OR place = ? ORDER BY id DESC')
      .all(pipeline, this.placeOf(pipeline))
      .map(({ beat, pid_start, ...r }) => (r.status === 'running' && !holderAlive({ ...r, beat, pid_start: pid_start ?? null }) ? { ...r, status: 'interrupted' } : r));
  }

  /** Runs of any document whose process is still alive (what `gc --delete` must not race with). */
  live(): RunRow[] {
    return this.db.prepare<[], RunRow & HolderRow>("SELECT id, pipeline, started, ended, status, pid, pid_start, host, beat FROM runs WHERE status = 'running'")
      .all()
      .filter((r) => holderAlive(r));
  }

  /** Each run (shell sessions are none) and where its document is now (`documentAt`). */
  placed(byPlace: boolean): { readonly id: number; readonly document: string }[] {
    return this.db.prepare<[{ mark: string }], { id: number; pipeline: string; place: string | null }>('SELECT id, pipeline, place FROM runs WHERE substr(pipeline, -length(@mark)) <> @mark')
      .all({ mark: SHELL_MARK }).map((r) => ({ id: r.id, document: this.documentAt(r, byPlace) }));
  }

  /**
   * The documents the store has runs of, where they are now (shell sessions
   * are none): what to name when a document has none. A project copied with
   * its store names the copy's, whose runs they are there.
   */
  documents(): string[] {
    return [...new Set(this.placed(false).map((r) => r.document))].sort();
  }
}
