import type { Metadata } from '../../store/metadata.js';
import type { Envelope } from './dsse.js';

export interface AttestationRow {
  readonly key: string;
  readonly runId: number;
  readonly job: string;
  readonly envelope: Envelope;
}

/**
 * Envelopes beside the lineage, one per result (its cache key): a job found
 * cached in a later run is the same result, attested once, when it ran.
 * Co-signatures replace the envelope with one carrying more signatures. A
 * job run again under the same key (`run --force`) makes another result:
 * the envelope of the one it replaced is not this one's.
 */
export class Attestations {
  /** No table, and none can be made: a store read-only to this user (a colleague's) whose runs were never signed holds no envelope. */
  private readonly none: boolean;

  constructor(private readonly meta: Metadata) {
    const made = meta.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attestations'").get() !== undefined;
    this.none = !made && meta.db.readonly;
    if (made || this.none) return;
    meta.db.exec(`CREATE TABLE IF NOT EXISTS attestations (
      key TEXT PRIMARY KEY, run_id INTEGER NOT NULL, job TEXT NOT NULL, envelope TEXT NOT NULL, updated INTEGER NOT NULL)`);
  }

  put(key: string, runId: number, job: string, envelope: Envelope): void {
    // Prepared once (`bulk.statement`): a signed run stores an envelope per job, `verify` reads thousands.
    this.meta.bulk.statement('INSERT OR REPLACE INTO attestations (key, run_id, job, envelope, updated) VALUES (?, ?, ?, ?, ?)')
      .run(key, runId, job, JSON.stringify(envelope), Date.now());
  }

  /** The envelope of the result of `key` that run `run` made; none when it is of another run's result of the key. */
  get(key: string, run: number): AttestationRow | undefined {
    const row = this.ofKey(key);
    return row?.runId === run ? row : undefined;
  }

  /** The envelope stored under `key`, of whichever run's result of it (`verify` says which when it is not the one asked). */
  ofKey(key: string): AttestationRow | undefined {
    if (this.none) return undefined;
    const row = this.meta.bulk.statement('SELECT key, run_id, job, envelope FROM attestations WHERE key = ?')
      .get(key) as { key: string; run_id: number; job: string; envelope: string } | undefined;
    if (row === undefined) return undefined;
    try {
      return { key: row.key, runId: row.run_id, job: row.job, envelope: JSON.parse(row.envelope) as Envelope };
    } catch {
      // A row that is not JSON is an envelope nobody can verify: shown as one with no payload.
      return { key: row.key, runId: row.run_id, job: row.job, envelope: { payloadType: '', payload: '', signatures: [] } };
    }
  }
}
