import type { Metadata } from '../../store/metadata.js';
import type { Envelope } from './dsse.js';

export interface AttestationRow {
  readonly key: string;
  readonly runId: number;
  readonly job: string;
  readonly envelope: Envelope;
  /** Why the stored text is no DSSE envelope (a row edited by hand); `envelope` is then an empty one, which no key verifies. */
  readonly damaged?: string;
}

/** The stored text as an envelope, or why it is none: a row of the wrong shape is a problem to name, not a crash. */
function parseEnvelope(text: string): Envelope | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'it is not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const e = value as Record<string, unknown>;
  if (typeof e['payloadType'] !== 'string' || typeof e['payload'] !== 'string') return 'its payloadType or payload is not a string';
  const sigs = e['signatures'];
  const isSignature = (s: unknown): boolean => typeof s === 'object' && s !== null && typeof (s as Record<string, unknown>)['sig'] === 'string'
    && ['string', 'undefined'].includes(typeof (s as Record<string, unknown>)['keyid']);
  if (!Array.isArray(sigs) || !sigs.every(isSignature)) return 'its signatures are not a list of {keyid, sig} strings';
  return value as Envelope;
}

/** What is said of an envelope row that is damaged (`AttestationRow.damaged`), after its job's name (`serve` shows it so). */
export const damagedEnvelope = (why: string): string =>
  `its stored envelope is damaged: ${why} (its row in the attestations table of the store was changed)`;

/** What `verify`, `attest` and `sign` say of job `job` whose envelope row is damaged (`AttestationRow.damaged`). */
export const damagedMessage = (job: string, why: string): string => `${job}: ${damagedEnvelope(why)}`;

const NO_ENVELOPE: Envelope = { payloadType: '', payload: '', signatures: [] };

const ROW = 'SELECT key, run_id, job, envelope FROM attestations';

/**
 * Envelopes beside the lineage, one per result (its cache key and the run
 * that made it): a job found cached in a later run is the same result,
 * attested once, when it ran. Co-signatures replace the envelope with one
 * carrying more signatures. A job run again under the same key
 * (`run --force`) makes another result with an envelope of its own; the
 * earlier result's stays, so what an earlier run made (`verify --run N`)
 * can still be checked end to end.
 */
export class Attestations {
  /** No table, and none can be made: a store read-only to this user (a colleague's) whose runs were never signed holds no envelope. */
  private readonly none: boolean;

  constructor(private readonly meta: Metadata) {
    const made = meta.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attestations'").get() !== undefined;
    this.none = !made && meta.db.readonly;
    if (meta.db.readonly) return;
    if (!made) {
      meta.db.exec(`CREATE TABLE IF NOT EXISTS attestations (
        key TEXT NOT NULL, run_id INTEGER NOT NULL, job TEXT NOT NULL, envelope TEXT NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (key, run_id))`);
    } else if (keyedByKeyAlone(meta)) {
      // A store an older Shark signed in kept one envelope per key, each run's replacing the last: keyed by run too from now on.
      meta.db.transaction(() => {
        meta.db.exec(`CREATE TABLE attestations_by_run (
          key TEXT NOT NULL, run_id INTEGER NOT NULL, job TEXT NOT NULL, envelope TEXT NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (key, run_id));
          INSERT INTO attestations_by_run SELECT key, run_id, job, envelope, updated FROM attestations;
          DROP TABLE attestations;
          ALTER TABLE attestations_by_run RENAME TO attestations;`);
      })();
    }
  }

  put(key: string, runId: number, job: string, envelope: Envelope): void {
    // Prepared once (`bulk.statement`): a signed run stores an envelope per job, `verify` reads thousands.
    this.meta.bulk.statement('INSERT OR REPLACE INTO attestations (key, run_id, job, envelope, updated) VALUES (?, ?, ?, ?, ?)')
      .run(key, runId, job, JSON.stringify(envelope), Date.now());
  }

  /** The envelope of the result of `key` that run `run` made. */
  get(key: string, run: number): AttestationRow | undefined {
    if (this.none) return undefined;
    return rowOf(this.meta.bulk.statement(`${ROW} WHERE key = ? AND run_id = ?`).get(key, run) as StoredRow | undefined);
  }

  /** The latest envelope stored under `key`, of whichever run's result of it (`verify` says which when it is not the one asked). */
  ofKey(key: string): AttestationRow | undefined {
    if (this.none) return undefined;
    return rowOf(this.meta.bulk.statement(`${ROW} WHERE key = ? ORDER BY run_id DESC LIMIT 1`).get(key) as StoredRow | undefined);
  }
}

interface StoredRow {
  readonly key: string;
  readonly run_id: number;
  readonly job: string;
  readonly envelope: string;
}

function rowOf(row: StoredRow | undefined): AttestationRow | undefined {
  if (row === undefined) return undefined;
  const envelope = parseEnvelope(row.envelope);
  const found = { key: row.key, runId: row.run_id, job: row.job };
  return typeof envelope === 'string' ? { ...found, envelope: NO_ENVELOPE, damaged: envelope } : { ...found, envelope };
}

/** Whether the table is an older Shark's, its primary key the cache key alone. */
function keyedByKeyAlone(meta: Metadata): boolean {
  const columns = meta.db.prepare('PRAGMA table_info(attestations)').all() as { name: string; pk: number }[];
  return !columns.some((c) => c.name === 'run_id' && c.pk > 0);
}
