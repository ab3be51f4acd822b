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
    const envelope = parseEnvelope(row.envelope);
    const found = { key: row.key, runId: row.run_id, job: row.job };
    return typeof envelope === 'string' ? { ...found, envelope: NO_ENVELOPE, damaged: envelope } : { ...found, envelope };
  }
}
