import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Metadata } from '../store/metadata.js';
import { VERSION } from '../version.js';
import type { LineageFailure, LineageNode, LineageQuery } from './lineage.js';

/** This Shark's build, beside its version: a rebuilt one may render otherwise. */
const BUILD = (() => {
  try {
    const s = statSync(fileURLToPath(import.meta.url));
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return '';
  }
})();

/** Below this many characters a lineage is rendered each time: reading it takes tens of milliseconds. */
const WORTH_KEEPING = 256 * 1024;

/**
 * The lineage `query` reads, rendered by `render` (one format: `variant`
 * names it and its options): a large one as it was rendered before, as its
 * UTF-8 bytes, when the records it came from have not changed since
 * (`LineageMemos`). Only a lineage of one run is kept, read while no run
 * lives; `keepable` is false for a text that names what the store may
 * rename (ZFS snapshots).
 */
export function renderedLineage(
  meta: Metadata, query: LineageQuery, variant: string, render: (node: LineageNode) => string, keepable = true,
): string | Buffer | LineageFailure {
  const fresh = (): string | LineageFailure => {
    const node = query.read();
    return 'error' in node ? node : render(node);
  };
  const { run } = query;
  if (run === undefined || !keepable) return fresh();
  // One read transaction: the generation, the live runs and the records are those of one instant.
  return meta.db.transaction((): string | Buffer | LineageFailure => {
    if (meta.liveRuns().length > 0) return fresh();
    const key = JSON.stringify([VERSION, BUILD, meta.lineages.generation(), run, variant]);
    const kept = meta.lineages.get(key);
    if (kept !== undefined) return kept;
    const text = fresh();
    if (typeof text === 'string' && text.length >= WORTH_KEEPING) meta.lineages.put(key, text);
    return text;
  })();
}
