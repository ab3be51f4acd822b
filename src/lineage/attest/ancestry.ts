import { lineageOf, type LineageNode } from '../lineage.js';
import type { Metadata } from '../../store/metadata.js';
import { appendAll } from '../../fold.js';

export type AncestryResult =
  | { ok: true; top: readonly LineageNode[]; all: readonly LineageNode[] }
  | { ok: false; message: string; unknownRun?: true };

/**
 * The jobs that made `path` in run `run` (default: the latest run that made
 * it; several: a directory a map wrote) and all their ancestors, each once,
 * the result's own jobs first and then upstream, breadth first.
 */
export function ancestry(meta: Metadata, pipelinePath: string, path: string, run?: number): AncestryResult {
  const node = lineageOf(meta, pipelinePath, path, run === undefined ? {} : { run });
  if ('error' in node) return { ok: false, message: node.error, ...(node.reason === 'unknown-run' ? { unknownRun: true as const } : {}) };
  const top = node.kind === 'group' ? (node.inputs[0]?.from ?? []) : [node];
  const seen = new Map<string, LineageNode>();
  // Walked by index, appended one at a time: a reduce's input comes from a million jobs.
  const queue = [...top];
  for (let at = 0; at < queue.length; at++) {
    const n = queue[at]!;
    if (seen.has(n.key)) continue;
    seen.set(n.key, n);
    for (const i of n.inputs) appendAll(queue, i.from);
  }
  return { ok: true, top, all: [...seen.values()] };
}
