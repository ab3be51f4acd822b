import { posix } from 'node:path';
import { isUnder, overlaps, parentOf } from '../pipeline/data-path.js';
import type { Output, Pipeline, RunStep, Step } from '../pipeline/pipeline.js';
import { publishedAt } from '../pipeline/publish-targets.js';
import type { QuoteContext } from '../pipeline/shell-words.js';
import { singleQuoted as sq, typedWord } from '../pipeline/shell-words.js';
import { renderScript } from './render-command.js';
import { importScript, localCopy } from './import-script.js';
import { isPrecious, type Selection } from './selection.js';
import { printable } from '../printable.js';

/** What a run would give its steps beside the document: the same, written into the script. */
export interface HandScriptOptions {
  /** Frontmatter variables and `-e` values, as `run` exports them. */
  readonly variables: readonly (readonly [string, string])[];
  /** The steps `run` would cover (`{manual}` blocks left out without targets). */
  readonly selection: Selection;
  /** SHARK_THREADS of a run step's jobs, as `run` with the same `-j` gives it. */
  readonly threads: (step: RunStep) => number;
  /** `-i NAME=PATH`, PATH absolute: copied to the input's /data path as `run` places it. */
  readonly bindings: ReadonlyMap<string, string>;
  /** The pipeline's directory, absolute: where run runs commands, finds local imports and publishes. */
  readonly pipelineDir: string;
  /** The steps of which `plan` says a job is kept (`{precious}`); `unknown` when no plan could be made. */
  readonly kept: ReadonlySet<string> | 'unknown';
  /** The name the lock file pins for a download into a directory (`name`, as the server gave it), by the clause and DEST. */
  readonly pinnedName?: (raw: string, dest: string) => string | undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
 * same commands in the same order, loops for maps, the same variables, and
 * the directories Shark would make for what a step writes. It reads and
 * writes the real /data, as the commands say.
 */
export function handScript(pipeline: Pipeline, options: HandScriptOptions): string {
  const file = pipeline.document.file;
  const out = [
    '#!/bin/sh',
    `# ${file}, performed by hand: the same commands Shark runs, in order.`,
    '# Data lives under /data; container steps say which environment to run them in.',
    'set -eu',
    // The directory run works in, absolute: the script is saved and run from anywhere (or piped into sh).
    `cd ${sq(options.pipelineDir)}`,
    `mkdir -p '/data'`,
    ...environment(pipeline, options.variables),
    '',
  ];
  for (const [name, path] of pipeline.inputs) {
    const bound = options.bindings.get(name);
    const shared = writtenAlso(pipeline, path, name);
    if (bound === undefined && pipeline.document.frontmatter?.inputs.get(name)?.optional === true) {
      // What an earlier run of the script copied there: a run's steps do not see an unbound optional input.
      out.push(`# input ${name}: optional, not bound`, ...(shared ? [] : [`rm -rf ${sq(path)}`]));
    } else if (bound === undefined) out.push(`# input ${name}: copy your file to ${path}`);
    // Links leading out of a bound directory are followed, as run takes them (local-links.ts).
    else out.push(`# input ${name}`, ...mkdirs([parentOf(path)]), localCopy(bound, path, undefined, true, !shared));
  }
  let lastBlock = '';
  let threads = 1;
  for (const step of pipeline.steps) {
    if (!options.selection.steps.has(step.id)) {
      const left = step.blockId === lastBlock ? undefined : leftOut(pipeline, step, options.selection);
      if (left !== undefined) out.push('', left);
      lastBlock = step.blockId;
      continue;
    }
    if (step.blockId !== lastBlock) {
      // The command's line, as plan, lineage and run give the step (not the fence's).
      out.push('', `# --- ${step.blockId} (${file}:${step.at.line})${step.kind === 'run' && step.env ? ` in environment ${step.env}` : ''}`);
      lastBlock = step.blockId;
    }
    if (step.kind === 'run' && options.threads(step) !== threads) {
      threads = options.threads(step);
      out.push(`SHARK_THREADS=${threads}`);
    }
    // Which items a job id or path names is known only from the map's input, when the script runs: it maps over them all.
    const only = options.selection.only?.get(step.id);
    if (only !== undefined) out.push(`# ${only.names.map((n) => printable(n.name)).join(', ')} named: this script runs every job of ${step.id}`);
    out.push(...keptNote(step, options.kept), ...subsetNote(step, pipeline), ...stepScript(step, pipeline, options.pinnedName));
  }
  return out.join('\n') + '\n';
}

/**
 * A step reading a directory that instances `-e` leaves out write into (a
 * fan-in): `run` gives it the chosen values' files only, the script
 * whatever /data holds, so an earlier run's files of the other values too.
 */
function subsetNote(step: Step, pipeline: Pipeline): string[] {
  const into = (pipeline.leftOut ?? []).filter((l) => l.writes.some((w) => step.inputs.some((i) => i.isDir && isUnder(w, i.path))));
  // And the instances it leaves out that another step needs: this script runs them, and they write there too.
  const pulled = [...(pipeline.hidden?.get(step.id)?.values() ?? [])].flatMap((ids) => [...ids].map((id) => pipeline.stepsById.get(id)?.blockId ?? id));
  const blocks = [...new Set([...into.map((l) => l.block), ...pulled])];
  if (blocks.length === 0) return [];
  const names = blocks.slice(0, 3).join(', ') + (blocks.length > 3 ? ` and ${blocks.length - 3} more` : '');
  return [`# -e leaves out ${names}, which write where ${step.id} reads: shark run gives it the chosen values' files only; this script, whatever /data holds (run the subset over a /data without the other values' files)`];
}

/**
 * The variables every step sees. A secret's value is never written: the
 * script stops, naming it, unless the user has set it.
 */
function environment(pipeline: Pipeline, variables: HandScriptOptions['variables']): string[] {
  const secrets = (pipeline.document.frontmatter?.secrets ?? []).map((s) => s.name);
  // A name the shell cannot export is not exported by a run either.
  const plain = variables.filter(([name]) => NAME.test(name) && !secrets.includes(name));
  const lines = ['export SHARK_THREADS=1', ...plain.map(([name, value]) => `export ${name}=${sq(value)}`)];
  if (secrets.length > 0) {
    const one = secrets.length === 1;
    lines.push(`# Secrets: set ${secrets.join(', ')} in your environment before running this script; ${one ? 'its value is' : 'their values are'} not written here.`);
    for (const name of secrets) lines.push(`: "\${${name}:?is a secret of ${pipeline.document.file.replace(/["$`\\}]/g, '')}: set it in the environment}"`, `export ${name}`);
  }
  return lines;
}

/** The comment for a block a plain run leaves out: a `{manual}` one, or one that needs it. */
function leftOut(pipeline: Pipeline, step: Step, selection: Selection): string | undefined {
  const manual = selection.manual.get(step.id);
  if (manual === undefined) return undefined;
  if (manual === step.id) return `# left out: ${step.blockId} ({manual}: \`shark plan ${pipeline.document.file} ${step.blockId} --script\` includes it)`;
  return `# left out: ${step.blockId} (it needs ${pipeline.stepsById.get(manual)?.blockId ?? manual}, a {manual} block)`;
}

/**
 * The script recomputes what the store keeps for a `{precious}` step: said,
 * as what it makes can differ from what run published.
 */
function keptNote(step: Step, kept: HandScriptOptions['kept']): string[] {
  if (kept === 'unknown') return isPrecious(step) ? [`# {precious}: shark may keep an older result of ${step.id} (shark plan says whether it does): this recomputes it with the current command and inputs`] : [];
  return kept.has(step.id) ? [`# kept (precious) by shark: this recomputes ${step.id} with the current command and inputs; the store keeps an older result (shark run --force ${typedWord(step.id)} recomputes it there)`] : [];
}

function stepScript(step: Step, pipeline: Pipeline, pinnedName: HandScriptOptions['pinnedName']): string[] {
  switch (step.kind) {
    case 'import':
      return importScript(step, writtenAlso(pipeline, step.clause.dest, step), pinnedName?.(step.clause.raw, step.clause.dest));
    case 'publish':
    {
      // Where run publishes: the path under DIR as it is under /data.
      return step.inputs.flatMap((i) => publishCopy(i.path, publishedAt(step.dir, i.path)));
    }
    case 'run':
      return runScript(step, pipeline);
  }
}

/**
 * As run publishes: the target replaced whole, so a file gone from the result does not linger, and
 * staged beside it first, so a failed copy leaves the old one. Relative to the pipeline's directory,
 * or to $SHARK_PUBLISH_ROOT when set (to try the script in a scratch directory).
 */
function publishCopy(from: string, published: string): string[] {
  const at = (p: string): string => `"\${SHARK_PUBLISH_ROOT:-.}"/${sq(p)}`;
  const to = published.replace(/\/+$/, '');
  const staged = `${to}.shark-new`;
  const parent = posix.dirname(to);
  return [
    ...(parent === '.' ? [] : [`mkdir -p ${at(parent)}`]),
    `rm -rf ${at(staged)}`,
    localCopy(from, staged, at(staged)),
    // As run publishes a link into /data: relative, leading to the published copy rather than to /data.
    `find ${at(staged)} -type l -exec sh -c ${sq(RELATIVE_LINKS)} sh '/data' ${sq(from.replace(/(.)\/+$/, '$1'))} ${at(staged)} {} +`,
    // As run publishes: readable by all, written by the owner (0644, 0755 when executable), whatever the step's umask.
    // Not through a link the step made, which chmod would follow to its target.
    `[ -L ${at(staged)} ] || chmod -R u+w,go-w,a+rX ${at(staged)}`,
    `rm -rf ${at(to)}`,
    `mv ${at(staged)} ${at(to)}`,
  ];
}

/**
 * Run by `find` over the links of a published copy (`$1` /data, `$2` the
 * /data path copied, `$3` the copy): each into /data is made relative to
 * where it lies, as run publishes it (safe-path.ts, exportedLinkTarget). One
 * written with `.`, `..` or `//` is kept as the step wrote it.
 */
const RELATIVE_LINKS = 'd=$1 from=$2 top=$3; shift 3; for l; do t=$(readlink "$l"); case $t in "$d"|"$d"/*) ;; *) continue;; esac; '
  + 'case $t/ in */./*|*/../*|*//*) continue;; esac; f=$from${l#"$top"}; f=${f%/*} up=; '
  + 'while :; do case $t/ in "$f"/*) break;; esac; f=${f%/*} up=../$up; done; '
  + 'r=${t#"$f"}; r=$up${r#/}; r=${r%/}; rm -f "$l" && ln -s "${r:-.}" "$l" || exit 1; done';

/**
 * The directories a step's outputs go into, which Shark makes, and those it
 * writes into under names made as it runs. What the step writes is removed
 * first, as a run gives each step none of its outputs: an item gone since an
 * earlier run of the script would linger in a directory it writes whole
 * (`/data/out/` of a map), and a file it appends to (`>> /data/years.txt`)
 * would grow at each run. One it also reads, or that another step writes
 * into too, is kept.
 */
function outputParents(step: RunStep, pipeline: Pipeline): string[] {
  const plain = step.outputs.filter((o) => !o.perItem);
  const read = step.inputs.map((i) => i.path);
  // Nor one another step writes into, or that holds what another writes: its files are not this step's to remove.
  const whole = step.outputs.filter((o) => o.path !== '/data' && !read.some((r) => overlaps(r, o.path)) && !writtenAlso(pipeline, o.path, step));
  return [...new Set(whole.map((o) => `rm -rf ${sq(o.path)}`)), ...mkdirs([...plain.map((o) => parentOf(o.path)), ...plain.filter((o) => o.created === true).map((o) => o.path)])];
}

/**
 * Whether a step other than `self`, or a frontmatter input other than
 * `self` (its name), puts something at `path`, inside it or around it: then
 * the script must not remove what is there before `self` writes it.
 */
function writtenAlso(pipeline: Pipeline, path: string, self: Step | string): boolean {
  return pipeline.steps.some((s) => s !== self && s.outputs.some((o) => overlaps(o.path, path)))
    || [...pipeline.inputs].some(([name, p]) => name !== self && overlaps(p, path));
}

/** `mkdir -p` of each directory once; /data is made at the top. */
function mkdirs(dirs: readonly string[]): string[] {
  return [...new Set(dirs)].filter((d) => d !== '/data').map((d) => `mkdir -p ${sq(d)}`);
}

function runScript(step: RunStep, pipeline: Pipeline): string[] {
  const wildcards = step.inputs.filter((i) => i.pattern !== undefined);
  // The script's own `set -eu` stops at a failed step; inside, a command runs as under `sh -c` (no -e, no -u), as Shark runs it.
  const cd = `set +eu; ${step.cwd !== undefined ? `cd ${sq(step.cwd)} && ` : ''}`;
  if (wildcards.length === 0) {
    const body = renderScript(step, new Map(), undefined, '');
    return [...outputParents(step, pipeline), `(${cd}${step.command.includes('\n') ? `\n${body}\n` : body})`];
  }
  const outDirs = step.outputs.filter((o) => o.perItem || o.isDir).map((o) => `mkdir -p ${sq(o.path)}`);
  const items = new Map<string, string>();
  const lines = [...outputParents(step, pipeline), ...outDirs];
  let indent = '';
  wildcards.forEach((w, n) => {
    const v = `item${n + 1}`;
    items.set(`${w.path}/${w.pattern}`, `${v}_name`);
    lines.push(`${indent}for ${v} in ${sq(w.path)}/${w.pattern}; do`);
    lines.push(`${indent}  [ -e "$${v}" ] || continue`);
    // `*/` matches directories only, each with its slash: the item is the directory.
    if (w.pattern!.endsWith('/')) lines.push(`${indent}  ${v}=\${${v}%/}`);
    // An item several levels down is its path from the first wildcard on (`AVES/robin.geojson`).
    // Parameter expansion, not `$(basename …)`: a command substitution drops the line breaks a name ends in.
    lines.push(w.pattern!.replace(/\/$/, '').includes('/') ? `${indent}  ${v}_name=\${${v}#${sq(w.path)}/}` : `${indent}  ${v}_name=\${${v}##*/}`);
    indent += '  ';
  });
  lines.push(`${indent}plus_name="${wildcards.map((_, n) => `\${item${n + 1}_name}`).join('_')}"`);
  // `+.EXT`: the item with the last extension of its last part replaced (or EXT added), as withExtension does.
  const extVar = (ext: string): string => `plus_name${ext.replace(/[^A-Za-z0-9]/g, '_')}`;
  for (const ext of new Set(step.mentions.flatMap((m) => (m.plus?.ext !== undefined ? [m.plus.ext] : [])))) {
    lines.push(`${indent}case "\${plus_name##*/}" in ?*.*) ${extVar(ext)}="\${plus_name%.*}"${sq(ext)} ;; *) ${extVar(ext)}="$plus_name"${sq(ext)} ;; esac`);
  }
  // An item several levels down is written several levels down: Shark makes its directory; `+/` makes the item one.
  const itemName = (o: Output): string => `${sq(o.path)}/"$${o.ext === undefined ? 'plus_name' : extVar(o.ext)}"`;
  for (const o of step.outputs.filter((o) => o.perItem)) {
    const below = [...new Set((o.files ?? []).filter((f) => f.includes('/')).map((f) => f.slice(0, f.lastIndexOf('/'))))];
    // `+/sub/stats.txt`: `-p` makes the item's directory with `sub`.
    if (o.created === true) lines.push(`${indent}mkdir -p ${below.length === 0 ? itemName(o) : below.map((d) => `${itemName(o)}/${sq(d)}`).join(' ')}`);
    else if (wildcards.some((w) => w.pattern!.includes('/'))) lines.push(`${indent}item_path=${itemName(o)}; mkdir -p "\${item_path%/*}"`);
  }
  const body = renderScript(step, items, 'plus_name', '', spliceVar, (name, ext) => (ext === undefined ? name : extVar(ext)));
  // A here-document's delimiter must stand alone on its line: the subshell closes on the next.
  lines.push(`${indent}(${cd}${step.command.includes('\n') ? `\n${body}\n${indent}` : body})`);
  for (let n = wildcards.length; n > 0; n--) {
    indent = indent.slice(2);
    lines.push(`${indent}done`);
  }
  return lines;
}
