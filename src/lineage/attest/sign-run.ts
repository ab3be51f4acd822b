import type { KeyObject } from 'node:crypto';
import type { LineageRecord } from '../record.js';
import type { Metadata } from '../../store/metadata.js';
import type { SnapshotStore } from '../../store/snapshot-store.js';
import { digestsOf } from './digests.js';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import { statementFor } from './statement.js';
import { Attestations } from './store.js';
import { within } from '../../pipeline/data-path.js';

/**
 * What `run --sign` hands the engine: called after each job's result is
 * committed, it signs the job's statement and stores the envelope. A
 * failure to sign is reported and leaves the result as it is (unsigned),
 * which `verify` then reports. `frontmatterInputs`: the document's inputs'
 * /data paths, those a job reads named in its statement (`statementFor`).
 */
export function jobSigner(
  meta: Metadata, store: SnapshotStore, key: KeyObject, frontmatterInputs: readonly string[], warn: (message: string) => void,
): (record: LineageRecord, job: string) => Promise<void> {
  const attestations = new Attestations(meta);
  const roots = frontmatterInputs.map((p) => p.replace(/\/$/, ''));
  return async (record, job) => {
    try {
      const subjects = (await Promise.all(Object.entries(record.outputs).map(([p, id]) => digestsOf(store, id, p)))).flat();
      const inputs = (await Promise.all(record.record.inputs.map(([p, id]) => digestsOf(store, id, p)))).flat();
      const hostInputs = roots.filter((h) => record.record.inputs.some(([p]) => within(p.replace(/\/$/, ''), h)));
      const body = Buffer.from(JSON.stringify(statementFor(record, job, subjects, inputs, hostInputs)));
      attestations.put(record.key, record.runId, job, signEnvelope(IN_TOTO_PAYLOAD_TYPE, body, key));
    } catch (e) {
      warn(`cannot sign job ${job}: ${(e as Error).message}`);
    }
  };
}
