import type { Metadata, ResultRow, RunJobRow } from '../store/metadata.js';
import type { KeyRecord } from '../plan/key.js';
import { isUnder } from '../pipeline/data-path.js';

/** The account of one job that produced data. */
export interface LineageNode {
  readonly job: string;
  readonly block: string;
  readonly location: string;
  readonly kind: 'run' | 'import';
  readonly command: string;
  readonly environment: string;
  readonly source?: Readonly<Record<string, string | number>>;
  readonly outputs: Readonly<Record<string, string>>;
  readonly started: string;
  readonly ended: string;
  readonly host: string;
  readonly version: string;
  readonly key: string;
  readonly inputs: readonly { readonly path: string; readonly id: string; readonly from: LineageNode | null }[];
}

interface Meta {
  file: string;
  line: number;
  col: number;
  command: string;
  env: string;
  host: string;
  version: string;
}

/**
 * Everything that produced `path` in the latest run of a pipeline: the job
 * that wrote it (or the directory it is in), then, recursively, the jobs
 * that wrote each of that job's inputs, down to imports and host inputs.
 */
export function lineageOf(meta: Metadata, pipelinePath: string, path: string): LineageNode | { error: string } {
  const run = meta.latestRun(pipelinePath);
  if (run === undefined) return { error: 'this pipeline has not been run yet' };
  const rows = meta.runJobs(run.id).filter((r) => r.status === 'ok' || r.status === 'cached');
  const results = new Map<string, ResultRow>();
  for (const r of rows) {
    const result = meta.result(r.key);
    if (result !== undefined) results.set(r.job, result);
  }
  const producer = (p: string): { row: RunJobRow; result: ResultRow } | undefined => {
    for (const row of rows) {
      const result = results.get(row.job);
      if (result === undefined) continue;
      const outputs = Object.keys(JSON.parse(result.outputs) as Record<string, string>);
      if (outputs.some((o) => o === p || isUnder(p, o) || isUnder(o, p))) return { row, result };
    }
    return undefined;
  };
  const seen = new Map<string, LineageNode>();
  const build = (row: RunJobRow, result: ResultRow): LineageNode => {
    const cached = seen.get(row.job);
    if (cached !== undefined) return cached;
    const record = JSON.parse(result.record) as KeyRecord;
    const m = JSON.parse(result.meta) as Meta;
    const node: LineageNode = {
      job: row.job,
      block: row.block,
      location: `${m.file}:${m.line}:${m.col}`,
      kind: record.kind,
      command: m.command,
      environment: record.env,
      ...(record.pin !== undefined ? { source: record.pin } : {}),
      outputs: JSON.parse(result.outputs) as Record<string, string>,
      started: new Date(result.started).toISOString(),
      ended: new Date(result.ended).toISOString(),
      host: m.host,
      version: m.version,
      key: result.key,
      inputs: record.inputs.map(([p, id]) => {
        const from = producer(p);
        return { path: p, id, from: from === undefined || from.row.job === row.job ? null : build(from.row, from.result) };
      }),
    };
    seen.set(row.job, node);
    return node;
  };
  const top = producer(path);
  if (top === undefined) return { error: `no job of the latest run (run ${run.id}) produced ${path}` };
  return build(top.row, top.result);
}

export function renderLineage(node: LineageNode, describe: (id: string) => string): string {
  const lines: string[] = [];
  const walk = (n: LineageNode, indent: string): void => {
    lines.push(`${indent}${n.job}  (${n.location}, ${n.kind === 'import' ? 'import' : n.environment})`);
    lines.push(`${indent}  $ ${n.command.split('\n').join(`\n${indent}    `)}`);
    if (n.source !== undefined) lines.push(`${indent}  source: ${Object.entries(n.source).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    for (const [p, id] of Object.entries(n.outputs)) lines.push(`${indent}  → ${p}  ${describe(id)}`);
    lines.push(`${indent}  ran ${n.started} on ${n.host}, shark ${n.version}`);
    for (const i of n.inputs) {
      lines.push(`${indent}  ← ${i.path}  ${describe(i.id)}${i.from === null ? '  (input)' : ''}`);
      if (i.from !== null) walk(i.from, indent + '    ');
    }
  };
  walk(node, '');
  return lines.join('\n') + '\n';
}
