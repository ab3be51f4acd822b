import { mermaidText } from '../pipeline/dag-format.js';
import { short } from '../plan/key.js';
import type { LineageNode } from './lineage.js';

/**
 * A lineage tree as a mermaid flowchart (GitHub renders it in markdown):
 * jobs are boxes, data are cylinders labelled with their path and short
 * content id, and arrows follow the data: input → job → output. A file two
 * jobs read is drawn once; so is a job reached by two paths. An input whose
 * writers `--depth` did not follow gets a dotted arrow from a hexagon saying
 * so, lest the cut graph read as one that ends at host inputs.
 */
export function lineageMermaid(root: LineageNode, depth = Infinity): string {
  const names = new Map<string, string>();
  const nodes: string[] = [];
  const edges = new Set<string>();
  const name = (key: string, declare: (id: string) => string): string => {
    let id = names.get(key);
    if (id === undefined) {
      id = `n${names.size}`;
      names.set(key, id);
      nodes.push(`  ${declare(id)}`);
    }
    return id;
  };
  const data = (path: string, id: string): string =>
    name(`d:${path}\0${id}`, (n) => `${n}[("${mermaidText(path)}${id === '' ? '' : `<br/><small>${mermaidText(short(id))}</small>`}")]`);
  const notFollowed = (): string => name('cut', (n) => `${n}{{"producers not followed<br/><small>${mermaidText(`--depth ${depth}`)}</small>"}}`);
  const job = (n: LineageNode): string => {
    const seen = names.get(`j:${n.job}\0${n.key}`);
    if (seen !== undefined) return seen;
    const detail = n.kind === 'group' ? n.command : `${n.location} · ${n.kind === 'import' ? 'import' : n.environment}${n.dropped ? ' · data dropped by fsck --repair' : ''}`;
    const shape = (text: string): string => (n.kind === 'import' ? `[/"${text}"/]` : n.kind === 'group' ? `[["${text}"]]` : `["${text}"]`);
    const id = name(`j:${n.job}\0${n.key}`, (x) => `${x}${shape(`${mermaidText(n.job)}<br/><small>${mermaidText(detail)}</small>`)}`);
    for (const [path, out] of Object.entries(n.outputs)) edges.add(`  ${id} --> ${data(path, out)}`);
    for (const input of n.inputs) {
      if (n.kind === 'group') {
        for (const from of input.from) edges.add(`  ${job(from)} --> ${id}`);
        continue;
      }
      const d = data(input.path, input.id);
      edges.add(`  ${d} --> ${id}`);
      if (input.truncated) edges.add(`  ${notFollowed()} -.-> ${d}`);
      for (const from of input.from) {
        const writer = job(from);
        // The writer's own output arrow is there when it wrote this very path; a directory above it otherwise.
        if (from.outputs[input.path] === undefined) edges.add(`  ${writer} -.-> ${d}`);
      }
    }
    return id;
  };
  job(root);
  return ['flowchart LR', ...nodes, ...edges].join('\n') + '\n';
}
