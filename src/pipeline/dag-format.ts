import { shownUrls } from '../imports/shown-url.js';
import { printable, shownName } from '../printable.js';
import { overlaps } from './data-path.js';
import { DEFAULT_PUBLISH_DIR, shownInput, shownOutput, type BlockNode, type Pipeline } from './pipeline.js';

export type DagFormat = 'text' | 'json' | 'dot' | 'mermaid';
export const DAG_FORMATS: readonly DagFormat[] = ['text', 'json', 'dot', 'mermaid'];

/** The stable machine contract of `shark dag --format json`. */
export function dagJson(pipeline: Pipeline): object {
  return {
    blocks: pipeline.blocks.map((b) => ({
      id: b.id,
      kind: b.kind,
      env: b.env,
      line: b.block.at.line,
      section: b.section,
      // An instance of a block that mentions axes: the value of each (`{}` for other blocks).
      axes: Object.fromEntries(b.block.instance?.axes ?? []),
      inputs: b.inputs,
      outputs: b.outputs,
      after: b.after,
      steps: b.steps.map((id) => {
        const s = pipeline.stepsById.get(id)!;
        return {
          id: s.id,
          line: s.at.line,
          ...(s.kind === 'run' ? { command: s.command } : s.kind === 'import' ? { source: shownUrls(s.clause.raw) } : { dir: s.dir }),
          inputs: s.inputs.map((i) => (i.pattern !== undefined ? `${i.path}/${i.pattern}` : i.isDir ? `${i.path}/` : i.path)),
          outputs: s.outputs.map((o) => (o.perItem ? `${o.path}/+` : o.isDir ? `${o.path}/` : o.path)),
          after: s.after,
        };
      }),
    })),
  };
}

export function formatDag(pipeline: Pipeline, format: DagFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(dagJson(pipeline), null, 2);
    case 'text':
      return pipeline.blocks.map(textBlock).join('\n\n');
    case 'dot':
      return dot(pipeline);
    case 'mermaid':
      return mermaid(pipeline);
  }
}

function label(b: BlockNode): string {
  switch (b.kind) {
    case 'build':
      return `build ${b.env}`;
    case 'run':
      return `run on ${b.env}`;
    case 'import':
      return 'import';
    case 'publish':
      return `publish to ${b.block.arg ?? DEFAULT_PUBLISH_DIR}/`;
  }
}

function textBlock(b: BlockNode): string {
  // A heading and a path are the document's text: shown, never obeyed (an escape sequence in one cleared the terminal).
  const lines = [`${b.id}  (${label(b)}, line ${b.block.at.line}${b.section ? `, § ${printable(b.section)}` : ''})`];
  if (b.after.length > 0) lines.push(`  after:   ${b.after.join(', ')}`);
  if (b.inputs.length > 0) lines.push(`  reads:   ${b.inputs.map(listedPath).join(' ')}`);
  if (b.outputs.length > 0) lines.push(`  writes:  ${b.outputs.map(listedPath).join(' ')}`);
  return lines.join('\n');
}

/** A path in a list a space separates: one holding a space (or any white space) quoted, as `shownName` quotes a control character. */
function listedPath(path: string): string {
  return /\s/.test(path) ? JSON.stringify(path) : shownName(path);
}

/**
 * Files and steps as nodes: files are read and written by steps, so a person sees the data flow.
 * A file read is linked to the outputs of the steps the planner found as its writers (`Input.from`),
 * so the drawing and the run agree on every dependency: `/data/out` read where `/data/out/+` is
 * written, a file inside a directory written whole, a directory only written into (a sweep's fan-in).
 */
export function graphOf(pipeline: Pipeline): { files: string[]; edges: [string, string][] } {
  const files = new Set<string>();
  const edges: [string, string][] = [];
  for (const b of pipeline.blocks) {
    for (const i of b.inputs) (files.add(i), edges.push([`f:${i}`, `b:${b.id}`]));
    for (const o of b.outputs) (files.add(o), edges.push([`b:${b.id}`, `f:${o}`]));
    if (b.kind === 'run' && b.env !== 'host') {
      const env = pipeline.environments.get(b.env ?? '');
      if (env !== undefined) edges.push([`b:${env.blockId}`, `b:${b.id}`]);
    }
  }
  const seen = new Set<string>();
  for (const b of pipeline.blocks) {
    for (const id of b.steps) {
      for (const input of pipeline.stepsById.get(id)?.inputs ?? []) {
        const read = `f:${shownInput(input)}`;
        for (const from of input.from) {
          const writer = pipeline.stepsById.get(from);
          if (writer === undefined || writer.blockId === b.id) continue;
          const written = writer.outputs.filter((o) => overlaps(o.path, input.path));
          // Every writer has an output holding or inside what is read; drawn from the block should a path ever not match.
          const sources = written.length > 0 ? written.map((o) => `f:${shownOutput(o)}`) : [`b:${writer.blockId}`];
          for (const source of sources) {
            const key = `${source}\0${read}`;
            if (source !== read && !seen.has(key)) (seen.add(key), edges.push([source, read]));
          }
        }
      }
    }
  }
  return { files: [...files], edges };
}

function dot(pipeline: Pipeline): string {
  const { files, edges } = graphOf(pipeline);
  const idOf = nodeIds();
  const q = (s: string): string => JSON.stringify(s);
  const out = ['digraph shark {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const b of pipeline.blocks) {
    const shape = b.kind === 'build' ? 'hexagon' : b.kind === 'import' ? 'invhouse' : b.kind === 'publish' ? 'house' : 'box';
    out.push(`  ${idOf(`b:${b.id}`)} [shape=${shape}, style="rounded,filled", fillcolor="#dbe9f6", label=${q(`${b.id}\n${label(b)}`)}];`);
  }
  for (const f of files) out.push(`  ${idOf(`f:${f}`)} [shape=note, label=${q(f)}];`);
  for (const [a, b] of edges) out.push(`  ${idOf(a)} -> ${idOf(b)};`);
  out.push('}');
  return out.join('\n');
}

function mermaid(pipeline: Pipeline): string {
  const { files, edges } = graphOf(pipeline);
  const idOf = nodeIds();
  const q = (s: string): string => `"${s}"`;
  const out = ['flowchart LR'];
  for (const b of pipeline.blocks) {
    const text = q(`${mermaidText(b.id)}<br/><small>${mermaidText(label(b))}</small>`);
    const node = b.kind === 'build' ? `{{${text}}}` : b.kind === 'import' ? `[/${text}/]` : b.kind === 'publish' ? `[\\${text}\\]` : `[${text}]`;
    out.push(`  ${idOf(`b:${b.id}`)}${node}`);
  }
  for (const f of files) out.push(`  ${idOf(`f:${f}`)}[(${q(mermaidText(f))})]`);
  for (const [a, b] of edges) out.push(`  ${idOf(a)} --> ${idOf(b)}`);
  return out.join('\n');
}

/**
 * Text for a quoted mermaid label. Mermaid reads `#NNN;` as a character code, and
 * the label is HTML, so anything beyond plain path characters is written as one:
 * quotes, `#`, `;`, `<`, `&`, backquotes (markdown strings) and `:` (mermaid
 * strips the `;` from lines that look like `style…:…#…;`).
 */
export function mermaidText(text: string): string {
  // Most labels need nothing written as a code: tested whole, not character by character (a lineage has tens of thousands).
  return /^[A-Za-z0-9 /._*+~,=@-]*$/.test(text) ? text : text.replace(/[^A-Za-z0-9 /._*+~,=@-]/gu, (ch) => `#${ch.codePointAt(0)};`);
}

/** Short node names (`n0`, `n1`, …) for graph keys, the same key always getting the same name. */
function nodeIds(): (key: string) => string {
  const ids = new Map<string, string>();
  return (key) => {
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = `n${ids.size}`));
    return id;
  };
}
