import { posix } from 'node:path';
import { error, type Diagnostic, type Position } from '../diagnostics.js';
import type { Document, SharkBlock } from '../markdown/document.js';
import { blockIds } from './block-ids.js';
import { parseBuildSpec } from './build-spec.js';
import { isUnder, normaliseDataPath, parentOf } from './data-path.js';
import { parseImportLine } from './import-clause.js';
import { findMentions, type Mention } from './mentions.js';
import { DEFAULT_PUBLISH_DIR, type BlockNode, type Environment, type Input, type Output, type Pipeline, type Step } from './pipeline.js';
import { splitCommands, type CommandText } from './shell-lines.js';
import { shellWords, type Word } from './shell-words.js';

interface Writer {
  readonly step: string;
  readonly at: Position;
}

type Resolved =
  | { kind: 'exact'; writers: Writer[] }
  /** `path` is the written directory the asked path is under, or the written path inside the asked one. */
  | { kind: 'under' | 'contains'; writers: Writer[]; path: string }
  | { kind: 'none' };

/**
 * Every /data path has exactly one writer: the step that mentions it first
 * (or redirects into it), an import, or a frontmatter input. Later mentions
 * read it. Because a writer always comes before its readers in the
 * document, the graph this builds cannot have a cycle.
 */
class Writers {
  private readonly byPath = new Map<string, Writer>();

  resolve(path: string): Resolved {
    const exact = this.byPath.get(path);
    if (exact !== undefined) return { kind: 'exact', writers: [exact] };
    for (let dir = parentOf(path); dir.length > '/data'.length; dir = parentOf(dir)) {
      const w = this.byPath.get(dir);
      if (w !== undefined) return { kind: 'under', writers: [w], path: dir };
    }
    const inside: Writer[] = [];
    let first: string | undefined;
    for (const [p, w] of this.byPath) {
      if (!isUnder(p, path)) continue;
      inside.push(w);
      first ??= p;
    }
    return first !== undefined ? { kind: 'contains', writers: inside, path: first } : { kind: 'none' };
  }

  add(path: string, writer: Writer): void {
    this.byPath.set(path, writer);
  }
}

const PRELUDE = new Set(['export', 'set', 'umask', 'alias', 'unset']);

export function buildPipeline(document: Document): { pipeline: Pipeline | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const file = document.file;
  const fail = (at: Position, message: string, related?: { at: Position; message: string }[]): void => {
    diagnostics.push(error(file, at, message, related));
  };
  if (document.blocks.length === 0) {
    fail({ line: 1, col: 1 }, 'no Shark blocks in this document: tag code blocks as shark-run, shark-build, shark-import or shark-publish');
    return { pipeline: undefined, diagnostics };
  }
  const ids = blockIds(document, diagnostics);
  const broken = new Set<string>();
  const environments = environmentsOf(document, ids, broken, diagnostics);
  const writers = new Writers();
  const inputs = new Map<string, string>();
  for (const [name, input] of document.frontmatter?.inputs ?? []) {
    const normal = normaliseDataPath(input.path);
    if (!normal.ok) {
      fail(input.at, `input \`${name}\`: ${normal.message}`);
      continue;
    }
    inputs.set(name, normal.path.text);
    writers.add(normal.path.text, { step: `input:${name}`, at: input.at });
  }

  const steps: Step[] = [];
  const blockNodes: BlockNode[] = [];
  document.blocks.forEach((block, b) => {
    const blockId = ids[b]!;
    const made: Step[] = [];
    const stepId = (n: number, total: number): string => (total === 1 ? blockId : `${blockId}.${n + 1}`);
    if (block.kind === 'run') {
      made.push(...runSteps(block, blockId, steps.length, stepId, environments, broken, writers, fail));
    } else if (block.kind === 'import') {
      const lines = block.body.filter((l) => l.text.trim() !== '' && !l.text.trim().startsWith('#'));
      lines.forEach((line, n) => {
        const lead = line.text.length - line.text.trimStart().length;
        const parsed = parseImportLine(line.text);
        const id = stepId(n, lines.length);
        if (!parsed.ok) {
          fail({ line: line.line, col: line.col + parsed.offset }, parsed.message);
          // Its readers are not to blame: count the destination as written, so they report nothing more.
          const dest = normaliseDataPath(line.text.trim().split(/\s+/)[1] ?? '');
          if (dest.ok && writers.resolve(dest.path.text).kind === 'none') writers.add(dest.path.text, { step: id, at: { line: line.line, col: line.col } });
          return;
        }
        const destCol = line.col + line.text.indexOf(' /', lead) + 1;
        const at = { line: line.line, col: destCol > line.col ? destCol : line.col + lead };
        const dest = parsed.clause.dest;
        if (!claim(writers, dest, { step: id, at }, fail)) return;
        made.push({
          kind: 'import', id, index: steps.length + made.length, blockId, block, at: { line: line.line, col: line.col + lead },
          clause: parsed.clause, inputs: [], outputs: [{ path: dest, isDir: parsed.clause.destIsDir, at, perItem: false }], after: [],
        });
      });
    } else if (block.kind === 'publish') {
      const read: Input[] = [];
      for (const line of block.body) {
        for (const m of line.text.matchAll(/\S+/g)) {
          if (m[0].startsWith('#')) break;
          const at = { line: line.line, col: line.col + m.index };
          const normal = normaliseDataPath(m[0]);
          if (!normal.ok) {
            fail(at, `shark-publish lists /data paths: ${normal.message}`);
            continue;
          }
          const r = writers.resolve(normal.path.text);
          if (r.kind === 'none') {
            fail(at, `publishes \`${normal.path.text}\`, which no step writes or imports`);
            continue;
          }
          read.push({ path: normal.path.text, isDir: normal.path.isDir || r.kind === 'contains', from: r.writers.map((w) => w.step), at });
        }
      }
      if (read.length > 0) {
        made.push({
          kind: 'publish', id: blockId, index: steps.length, blockId, block, at: block.at,
          dir: block.arg ?? DEFAULT_PUBLISH_DIR, inputs: read, outputs: [], after: [],
        });
      }
    }
    // Steps of a block run in order, as a person running it by hand would.
    const linked = made.map((step, n) => {
      const deps = new Set<string>();
      for (const input of step.inputs) for (const from of input.from) if (!from.startsWith('input:') && from !== step.id) deps.add(from);
      if (n > 0 && step.kind === 'run') deps.add(made[n - 1]!.id);
      return { ...step, after: [...deps] };
    });
    steps.push(...linked);
    blockNodes.push(blockNodeOf(block, blockId, linked, environments));
  });
  const stepsById = new Map<string, Step>();
  for (const step of steps) {
    const other = stepsById.get(step.id);
    // `{id=fit.2}` may name the second step of a block `fit`.
    if (other !== undefined && other.blockId !== step.blockId) {
      fail(step.block.infoAt, `step id \`${step.id}\` is also the id of a step of block \`${other.blockId}\`: choose another {id=…}`, [
        { at: other.block.infoAt, message: `block \`${other.blockId}\` is here` },
      ]);
    }
    if (other === undefined) stepsById.set(step.id, step);
  }
  const blockOfStep = new Map(steps.map((s) => [s.id, s.blockId]));
  const blocks = blockNodes.map((node) => {
    const after = new Set(node.after);
    for (const id of node.steps) for (const dep of stepsById.get(id)!.after) {
      const blockId = blockOfStep.get(dep)!;
      if (blockId !== node.id) after.add(blockId);
    }
    return { ...node, after: [...after] };
  });
  if (diagnostics.length > 0) return { pipeline: undefined, diagnostics };
  return {
    pipeline: {
      document, environments, steps, stepsById, blocks, inputs,
      workdir: document.frontmatter?.path ?? '/root',
      variables: document.frontmatter?.variables ?? new Map(),
    },
    diagnostics,
  };
}

/** `broken` collects the names of environments whose spec has problems: their users are not reported again. */
function environmentsOf(document: Document, ids: string[], broken: Set<string>, diagnostics: Diagnostic[]): Map<string, Environment> {
  const environments = new Map<string, Environment>();
  document.blocks.forEach((block, b) => {
    if (block.kind !== 'build') return;
    const name = block.arg!;
    const previous = environments.get(name);
    if (previous !== undefined) {
      const nameAt = (b: SharkBlock): Position => ({ line: b.infoAt.line, col: b.infoAt.col + 'shark-build:'.length });
      diagnostics.push(error(document.file, nameAt(block), `environment \`${name}\` is defined twice`, [
        { at: nameAt(previous.block), message: `first defined here` },
      ]));
      return;
    }
    const spec = parseBuildSpec(block.body, block.at);
    if (!spec.ok) {
      for (const p of spec.problems) diagnostics.push(error(document.file, p.at, p.message));
      broken.add(name);
      return;
    }
    environments.set(name, { name, block, blockId: ids[b]!, spec: spec.spec });
  });
  return environments;
}

/** Registers `path` as written by `writer`; reports a second writer naming both. */
function claim(writers: Writers, path: string, writer: Writer, fail: (at: Position, message: string, related?: { at: Position; message: string }[]) => void): boolean {
  const r = writers.resolve(path);
  const others = r.kind === 'none' ? [] : r.writers.filter((w) => w.step !== writer.step);
  if (r.kind !== 'none' && others.length > 0) {
    const first = others[0]!;
    const input = first.step.startsWith('input:') ? first.step.slice('input:'.length) : undefined;
    const who = input !== undefined ? `frontmatter input \`${input}\`` : `step \`${first.step}\``;
    const me = `step \`${writer.step}\``;
    const writes = input !== undefined ? 'provides' : 'writes';
    const message =
      r.kind === 'under'
        ? `\`${path}\` is inside \`${r.path}/\`, which ${who} ${writes}; ${me} cannot also write into it (each path has one writer)`
        : r.kind === 'contains'
          ? `\`${path}/\` contains \`${r.path}\`, which ${who} ${writes}; ${me} cannot also write it (each path has one writer)`
          : input !== undefined
            ? `\`${path}\` is ${who}; ${me} cannot also write it (each path has one writer)`
            : `\`${path}\` is written by two steps: \`${first.step}\` and \`${writer.step}\` (each path has one writer)`;
    const written = r.kind === 'exact' ? path : r.kind === 'under' ? `${r.path}/` : r.path;
    const note = input !== undefined ? `${who} is declared here` : `${who} writes \`${written}\` here`;
    fail(writer.at, message, [{ at: first.at, message: note }]);
    return false;
  }
  if (r.kind === 'none') writers.add(path, writer);
  return true;
}

function runSteps(
  block: SharkBlock,
  blockId: string,
  firstIndex: number,
  stepId: (n: number, total: number) => string,
  environments: ReadonlyMap<string, Environment>,
  broken: ReadonlySet<string>,
  writers: Writers,
  fail: (at: Position, message: string, related?: { at: Position; message: string }[]) => void,
): Step[] {
  if (block.arg !== undefined && !environments.has(block.arg) && !broken.has(block.arg)) {
    const known = [...environments.keys()];
    fail({ line: block.infoAt.line, col: block.infoAt.col + block.info.indexOf(':') + 1 }, `environment \`${block.arg}\` is not defined by any shark-build block${known.length ? ` (defined: ${known.join(', ')})` : ''}`);
  }
  const network = block.options['network'] !== undefined && block.options['network'] !== 'false';
  // The tag parser has already checked the option's form.
  const timeout = parseTimeout(block.options['timeout']);
  if (timeout === null) fail(block.infoAt, `invalid timeout \`${String(block.options['timeout'])}\`: write seconds or a duration like 30s, 10m, 2h`);

  const split = splitCommands(block.body);
  for (const p of split.problems) fail(p.at, p.message);
  let cwd: string | undefined;
  let cwdAt: Position = block.at;
  const prelude: string[] = [];
  const commands: { text: CommandText; words: Word[]; cwd: string | undefined; cwdAt: Position; exports: string[] }[] = [];
  for (const text of split.commands) {
    const words = shellWords(text.text);
    const single = words.every((w) => w.command === 0);
    const first = words[0]?.value;
    if (single && first === 'cd' && words.length <= 2) {
      const dir = words[1]?.value;
      cwd = dir === undefined || dir === '~' ? undefined : cwd !== undefined && !dir.startsWith('/') ? posix.join(cwd, dir) : dir;
      cwdAt = words[1] === undefined ? text.at : { line: text.lines[words[1].offsets[0]!]!, col: text.cols[words[1].offsets[0]!]! };
      continue;
    }
    if (single && first !== undefined && PRELUDE.has(first)) {
      prelude.push(text.text);
      continue;
    }
    commands.push({ text, words, cwd, cwdAt, exports: [...prelude] });
  }

  const steps: Step[] = [];
  commands.forEach((c, n) => {
    const id = stepId(n, commands.length);
    const posOf = (offset: number): Position => ({ line: c.text.lines[offset] ?? c.text.at.line, col: c.text.cols[offset] ?? c.text.at.col });
    const mentions: Mention[] = [];
    let misnamed = false;
    for (const found of findMentions(c.words, posOf)) {
      if (found.ok) mentions.push(found.mention);
      else (fail(found.at, found.message), (misnamed = true));
    }
    const inputs: Input[] = [];
    const outputs: Output[] = [];
    const self = { step: id };
    for (const m of mentions) {
      const path = m.path.text;
      if ((m.wildcard || m.plus) && path === '/data') {
        fail(m.at, 'a wildcard or `+` needs a directory under /data, such as /data/items/*');
        continue;
      }
      const r = writers.resolve(path);
      const mine = r.kind !== 'none' && r.writers.every((w) => w.step === id);
      if (m.wildcard !== undefined) {
        if (r.kind === 'none') fail(m.at, `maps over \`${path}/\`, which no earlier step writes or imports`);
        else if (mine) fail(m.at, `a step cannot map over its own output \`${path}/\``);
        else inputs.push({ path, isDir: true, from: r.writers.map((w) => w.step), at: m.at, pattern: m.wildcard.pattern });
        continue;
      }
      if (m.redirect === 'in' && r.kind === 'none') {
        fail(m.at, `reads \`${path}\`, which no earlier step writes or imports and no frontmatter input names`);
        continue;
      }
      if (m.plus !== undefined || m.redirect === 'out' || r.kind === 'none') {
        if (mine) continue;
        if (claim(writers, path, { ...self, at: m.at }, fail)) {
          outputs.push({ path, isDir: m.path.isDir || m.plus !== undefined, at: m.at, perItem: m.plus !== undefined });
        }
        continue;
      }
      if (mine) continue;
      inputs.push({ path, isDir: m.path.isDir || r.kind === 'contains', from: [...new Set(r.writers.map((w) => w.step))], at: m.at });
    }
    // After `cd /data/x`, the commands below read /data/x as their working directory.
    const dataCwd = c.cwd === undefined ? undefined : normaliseDataPath(c.cwd);
    if (dataCwd?.ok) {
      const r = writers.resolve(dataCwd.path.text);
      if (r.kind === 'none') fail(c.cwdAt, `\`cd ${c.cwd}\`: no earlier step writes or imports ${dataCwd.path.text}`);
      else if (!r.writers.every((w) => w.step === id)) {
        inputs.push({ path: dataCwd.path.text, isDir: true, from: [...new Set(r.writers.map((w) => w.step))], at: c.cwdAt });
      }
    }
    const plus = outputs.find((o) => o.perItem);
    // With a path already reported, the wildcard this `+` goes with may be the one that was wrong.
    if (plus !== undefined && !misnamed && !mentions.some((m) => m.wildcard !== undefined)) {
      fail(plus.at, '`+` names each map job\'s output after its item, but this command has no wildcard input such as /data/dir/*');
    }
    steps.push({
      kind: 'run', id, index: firstIndex + n, blockId, block, at: c.text.at,
      command: c.text.text, text: c.text, mentions, env: block.arg, cwd: c.cwd, exports: c.exports,
      localFiles: localFileWords(c.words), network, timeout: timeout ?? undefined,
      inputs: dedupe(inputs), outputs, after: [],
    });
  });
  return steps;
}

function dedupe(inputs: Input[]): Input[] {
  const seen = new Set<string>();
  return inputs.filter((i) => {
    const key = `${i.path}\0${i.pattern ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Words that look like paths to local files (scripts, configs): `scripts/fit.py`, `--config=run.yaml`. */
function localFileWords(words: readonly Word[]): string[] {
  const found = new Set<string>();
  for (const w of words) {
    let v = w.value;
    const eq = v.indexOf('=');
    if (v.startsWith('-')) {
      if (eq < 0) continue;
      v = v.slice(eq + 1);
    }
    if (v === '' || /[$`*?[\]{}~]/.test(v) || v.startsWith('/') || v.includes('://')) continue;
    if (!v.includes('/') && !v.includes('.')) continue;
    if (v === '.' || v === '..') continue;
    found.add(posix.normalize(v));
  }
  return [...found];
}

function parseTimeout(value: string | true | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  if (value === true) return null;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value);
  if (m === null) return null;
  const unit = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
  return Number(m[1]) * unit;
}

function blockNodeOf(block: SharkBlock, id: string, steps: readonly Step[], environments: ReadonlyMap<string, Environment>): BlockNode {
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  for (const s of steps) {
    for (const o of s.outputs) outputs.add(o.isDir ? `${o.path}/` : o.path);
  }
  // What the block reads from outside itself: a path its own steps write, or write into, is internal.
  const own = new Set(steps.map((s) => s.id));
  for (const s of steps) {
    for (const i of s.inputs) {
      const shown = i.pattern !== undefined ? `${i.path}/${i.pattern}` : i.isDir ? `${i.path}/` : i.path;
      if (i.from.some((from) => !own.has(from))) inputs.add(shown);
    }
  }
  const env = block.kind === 'build' ? block.arg! : block.kind === 'run' ? (block.arg ?? 'host') : null;
  const after: string[] = [];
  if (block.kind === 'run' && block.arg !== undefined) {
    const e = environments.get(block.arg);
    if (e !== undefined) after.push(e.blockId);
  }
  return { id, kind: block.kind, env, block, section: block.section, steps: steps.map((s) => s.id), inputs: [...inputs], outputs: [...outputs], after };
}
