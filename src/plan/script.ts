import type { Pipeline, RunStep, Step } from '../pipeline/pipeline.js';
import type { QuoteContext } from '../pipeline/shell-words.js';
import { renderScript } from './render-command.js';
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

function importScript(step: Step & { kind: 'import' }): string[] {
  const { source, dest, destIsDir } = step.clause;
  const mk = `mkdir -p ${sq(destIsDir ? dest : dest.slice(0, dest.lastIndexOf('/')))}`;
  switch (source.scheme) {
    case 'url':
      return [mk, `curl -fL -o ${sq(dest)} ${sq(source.url)}`];
    case 'zenodo':
      return source.file === undefined
        ? [mk, `# every file of https://zenodo.org/records/${source.record} into ${dest}/`]
        : [mk, `curl -fL -o ${sq(dest)} ${sq(`https://zenodo.org/records/${source.record}/files/${source.file}?download=1`)}`];
    case 'github':
      return [mk, `curl -fL ${sq(`https://codeload.github.com/${source.owner}/${source.repo}/tar.gz/${source.ref}`)} | tar -xz -C ${sq(dest)} --strip-components=1`];
    case 'git':
      return [`git clone ${source.ref ? `--branch ${sq(source.ref)} ` : ''}${sq(source.url)} ${sq(dest)}`];
    case 'file':
      return [mk, localCopy(source.path, dest)];
  }
}

/**
 * A local file, or a directory's contents, copied to DEST. `cp -R DIR DEST`
 * would copy DIR itself into DEST once DEST exists (DEST/DIR/…), so a
 * directory is copied as `DIR/.`; whether it is one is known only where the
 * script runs.
 */
function localCopy(path: string, dest: string): string {
  const dir = path.replace(/\/+$/, '') || '/';
  return `if [ -d ${sq(dir)} ]; then mkdir -p ${sq(dest)} && cp -R ${sq(`${dir === '/' ? '' : dir}/.`)} ${sq(dest)}; else cp ${sq(path)} ${sq(dest)}; fi`;
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
