import { join } from 'node:path';
import { CasStore } from './cas-store.js';
import { Metadata } from './metadata.js';
import { failureMessage, openZfsStore } from './zfs-store.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface OpenedStore {
  readonly store: SnapshotStore;
  readonly meta: Metadata;
}

export type StoreOpenResult = { ok: true; value: OpenedStore } | { ok: false; message: string };

/**
 * `--store` values: a directory (the content-addressed store; default
 * `.shark/` beside the pipeline) or `zfs:POOL/DATASET`.
 */
export function openStore(spec: string | undefined, pipelineDir: string): StoreOpenResult {
  if (spec !== undefined && spec.startsWith('zfs:')) {
    const opened = openZfsStore(spec);
    return opened.ok ? opened : { ok: false, message: `cannot open the store ${spec}: ${failureMessage(opened.error)}` };
  }
  const dir = spec ?? join(pipelineDir, '.shark');
  try {
    const meta = new Metadata(dir);
    return { ok: true, value: { store: new CasStore(dir, meta), meta } };
  } catch (e) {
    return { ok: false, message: `cannot open the store at ${dir}: ${(e as Error).message}` };
  }
}
