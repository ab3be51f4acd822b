import type { Pipeline, RunStep, Step } from '../pipeline/pipeline.js';
import type { QuoteContext } from '../pipeline/shell-words.js';
import { renderScript } from './render-command.js';
import { importScript } from './import-script.js';
import { singleQuoted as sq } from '../pipeline/shell-words.js';


/** A shell variable reference that reads as one word wherever it is spliced. */
function spliceVar(name: string, ctx: QuoteContext): string {
  switch (ctx) {
    case '':
      return `"$${name}"`;
    case '"':
      return `\${${name}}`;
    case "'":
      return `'"$${name}"'`;
  }
}

/**
 * A POSIX sh script that performs the pipeline by hand, without Shark: the
 * same commands in the same order, loops for maps. It reads and writes the
 * real /data, as the commands say.
 */
export function handScript(pipeline: Pipeline): string {
  const out = [
    '#!/bin/sh',
    `# ${pipeline.document.file}, performed by hand: the same commands Shark runs, in order.`,
    '# Data lives under /data; container steps say which environment to run them in.',
    'set -eu',
    `cd "$(dirname "$0")"`,
    '',
  ];
  for (const [name, path] of pipeline.inputs) out.push(`# input ${name}: copy your file to ${path}`);
  let lastBlock = '';
  for (const step of pipeline.steps) {
    if (step.blockId !== lastBlock) {
      out.push('', `# --- ${step.blockId} (${pipeline.document.file}:${step.block.at.line})${step.kind === 'run' && step.env ? ` in environment ${step.env}` : ''}`);
      lastBlock = step.blockId;
    }
    out.push(...stepScript(step));
  }
  return out.join('\n') + '\n';
}

function stepScript(step: Step): string[] {
  switch (step.kind) {
    case 'import':
      return importScript(step);
    case 'publish':
      return step.inputs.map((i) => `mkdir -p ${sq(step.dir)} && cp -R ${sq(i.path)} ${sq(step.dir)}/`);
    case 'run':
      return runScript(step);
  }
}

function runScript(step: RunStep): string[] {
  const wildcards = step.inputs.filter((i) => i.pattern !== undefined);
  const cd = step.cwd !== undefined ? `cd ${sq(step.cwd)} && ` : '';
  const outDirs = step.outputs.filter((o) => o.perItem || (wildcards.length > 0 && o.isDir)).map((o) => `mkdir -p ${sq(o.path)}`);
  if (wildcards.length === 0) return [`(${cd}${step.command.includes('\n') ? `\n${renderScript(step, new Map(), undefined, '')}\n` : renderScript(step, new Map(), undefined, '')})`];
  const items = new Map<string, string>();
  const lines = [...outDirs];
  let indent = '';
  wildcards.forEach((w, n) => {
    const v = `item${n + 1}`;
    items.set(`${w.path}/${w.pattern}`, `${v}_name`);
    lines.push(`${indent}for ${v} in ${sq(w.path)}/${w.pattern}; do`);
    lines.push(`${indent}  [ -e "$${v}" ] || continue`);
    // An item several levels down is its path from the first wildcard on (`AVES/robin.geojson`).
    lines.push(w.pattern!.includes('/') ? `${indent}  ${v}_name=\${${v}#${sq(w.path)}/}` : `${indent}  ${v}_name=$(basename "$${v}")`);
    indent += '  ';
  });
  const plus = wildcards.length > 0 ? wildcards.map((_, n) => `\${item${n + 1}_name}`).join('_') : undefined;
  if (plus !== undefined) lines.push(`${indent}plus_name="${plus}"`);
  // `+.EXT`: the item with its last extension replaced, one variable per extension.
  const extVar = (ext: string): string => `plus_name${ext.replace(/[^A-Za-z0-9]/g, '_')}`;
  for (const ext of new Set(step.mentions.flatMap((m) => (m.plus?.ext !== undefined ? [m.plus.ext] : [])))) {
    lines.push(`${indent}${extVar(ext)}="\${plus_name%.*}${ext}"`);
  }
  const body = renderScript(step, items, plus === undefined ? undefined : 'plus_name', '', spliceVar, (name, ext) => (ext === undefined ? name : extVar(ext)));
  lines.push(`${indent}(${cd}${body})`);
  for (let n = wildcards.length; n > 0; n--) {
    indent = indent.slice(2);
    lines.push(`${indent}done`);
  }
  return lines;
}
