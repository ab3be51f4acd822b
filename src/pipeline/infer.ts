import { posix } from 'node:path';
import { error, type Diagnostic, type Position } from '../diagnostics.js';
import { colOf, type Document, type SharkBlock } from '../markdown/document.js';
import { blockIds } from './block-ids.js';
import { parseBuildSpec } from './build-spec.js';
import { fixedPathProblem, normaliseDataPath, overlaps, overlongMessage } from './data-path.js';
import { parseImportLine } from './import-clause.js';
import { DEFAULT_PUBLISH_DIR, type BlockNode, type Environment, type Input, type Pipeline, type Step, shownInput, shownOutput } from './pipeline.js';
import { spacedPath } from './publish-words.js';
import { clashMessage, clashOf, keptByDocument, nestedMessage, publishedAt, type Published } from './publish-targets.js';
import { optionAt } from './resources.js';
import { runSteps } from './run-steps.js';
import { claim, Writers } from './writers.js';
import { nameLookAlikes } from './look-alike-paths.js';
import { nameWritersBelow } from './written-below.js';

export function buildPipeline(document: Document): { pipeline: Pipeline | undefined; partial?: Pipeline; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const file = document.file;
  const fail = (at: Position, message: string, related?: { at: Position; message: string }[]): void => {
    diagnostics.push(error(file, at, message, related));
  };
  if (document.blocks.length === 0) {
    // Blocks there, each switched off: "no Shark blocks" sent the user looking for a tag they had written.
    const off = document.switchedOff ?? 0;
    fail({ line: 1, col: 1 }, off > 0
      ? `no Shark block to run in this document: ${off === 1 ? 'its Shark block is' : `all ${off} of its Shark blocks are`} switched off (\`{skip}\`); remove \`skip\` from ${off === 1 ? 'it' : 'one'}`
      : 'no Shark blocks in this document: tag code blocks as shark-run, shark-build, shark-import or shark-publish');
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
      writers.incomplete = true;
      continue;
    }
    const literal = fixedPathProblem(input.path, 'an input');
    if (literal !== undefined) {
      // A map over `/data/in/*` bound to a directory would run one job, its item a file literally named `*`.
      fail(valueAt(document.source, input.at, literal.offset), `input \`${name}\`: ${literal.message}`);
      writers.incomplete = true;
      continue;
    }
    const first = writers.of(normal.path.text);
    if (first !== undefined) {
      // Binding both would keep one and drop the other without a word. (One inside another's directory is laid over it.)
      const other = first.step.slice('input:'.length);
      fail(input.at, `input \`${name}\`: \`${normal.path.text}\` is already input \`${other}\`: two inputs cannot name one path (each path has one writer)`, [
        { at: first.at, message: `input \`${other}\` is declared here` },
      ]);
      continue;
    }
    inputs.set(name, normal.path.text);
    writers.add(normal.path.text, { step: `input:${name}`, at: input.at });
  }

  const kept = keptByDocument(file);
  const published: Published[] = [];
  const steps: Step[] = [];
  const blockNodes: BlockNode[] = [];
  document.blocks.forEach((block, b) => {
    const blockId = ids[b]!;
    const made: Step[] = [];
    const stepId = (n: number, total: number): string => (total === 1 ? blockId : `${blockId}.${n + 1}`);
    if (block.kind === 'run') {
      made.push(...runSteps(block, blockId, steps.length, stepId, writers, fail));
    } else if (block.kind === 'import') {
      const lines = block.body.filter((l) => l.text.trim() !== '' && !l.text.trim().startsWith('#'));
      lines.forEach((line, n) => {
        const lead = line.text.length - line.text.trimStart().length;
        const parsed = parseImportLine(line.text);
        const id = stepId(n, lines.length);
        if (!parsed.ok) {
          fail({ line: line.line, col: colOf(line, parsed.offset) }, parsed.message);
          // Its readers are not to blame: count the destination as written, so they report nothing more.
          const dest = normaliseDataPath(line.text.trim().split(/\s+/)[1] ?? '');
          if (dest.ok && writers.resolve(dest.path.text).kind === 'none') writers.add(dest.path.text, { step: id, at: { line: line.line, col: line.col } });
          return;
        }
        const space = line.text.indexOf(' /', lead);
        // Columns through colOf: a substituted `%{NAME}` before the destination moves it in the text, not in the document.
        const at = { line: line.line, col: colOf(line, space >= 0 ? space + 1 : lead) };
        const dest = parsed.clause.dest;
        if (!claim(writers, dest, { step: id, at }, fail)) return;
        made.push({
          kind: 'import', id, index: steps.length + made.length, blockId, block, at: { line: line.line, col: colOf(line, lead) },
          clause: parsed.clause, inputs: [], outputs: [{ path: dest, isDir: parsed.clause.destIsDir, at, perItem: false }], after: [],
        });
      });
    } else if (block.kind === 'publish') {
      const dir = block.arg ?? DEFAULT_PUBLISH_DIR;
      const normalDir = posix.normalize(dir);
      const read: Input[] = [];
      for (const line of block.body) {
        const words = [...line.text.matchAll(/\S+/g)].map((m) => ({ text: m[0], offset: m.index }));
        for (let w = 0; w < words.length; w++) {
          const word = words[w]!;
          if (word.text.startsWith('#')) break;
          const spaced = spacedPath(line.text, words, w, writers);
          if (spaced !== undefined) {
            fail({ line: line.line, col: colOf(line, spaced.offset) }, spaced.message);
            w += spaced.words - 1;
            continue;
          }
          const at = { line: line.line, col: colOf(line, word.offset) };
          const normal = normaliseDataPath(word.text);
          if (!normal.ok) {
            fail(at, `shark-publish lists /data paths: ${normal.message}`);
            continue;
          }
          const literal = fixedPathProblem(word.text, 'a published path');
          if (literal !== undefined) {
            fail({ line: line.line, col: colOf(line, word.offset + literal.offset) }, literal.message);
            continue;
          }
          const long = overlongMessage(normal.path.text);
          if (long !== undefined) {
            fail(at, long);
            continue;
          }
          const r = writers.resolve(normal.path.text);
          if (r.kind === 'none') {
            fail(at, `publishes \`${normal.path.text}\`, which no step writes or imports`);
            continue;
          }
          const target = publishedAt(dir, normal.path.text);
          const clash = clashOf(target, kept);
          if (clash !== undefined) {
            fail(at, clashMessage(normal.path.text, target, clash));
            continue;
          }
          // Named again in the block: published once.
          if (read.some((r) => r.path === normal.path.text)) continue;
          // One publish writing inside another's copy of other data would write through whatever that copy holds (a link).
          // In one directory, a path and a path inside it are copies of the same data: allowed.
          const nested = published.find((p) => p.dir !== normalDir && overlaps(target, p.target));
          if (nested !== undefined) {
            fail(at, nestedMessage(normal.path.text, target, nested));
            continue;
          }
          published.push({ target, dir: normalDir, path: normal.path.text, line: at.line });
          read.push({ path: normal.path.text, isDir: normal.path.isDir || r.kind === 'contains', from: r.writers.map((w) => w.step), at });
        }
      }
      if (read.length > 0) {
        made.push({
          kind: 'publish', id: blockId, index: steps.length, blockId, block, at: block.at,
          dir, inputs: read, outputs: [], after: [],
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
  nameWritersBelow(diagnostics, writers);
  nameLookAlikes(document.file, diagnostics, writers);
  const stepsById = new Map<string, Step>();
  for (const step of steps) {
    const other = stepsById.get(step.id);
    // `{id=fit.2}` may name the second step of a block `fit`.
    if (other !== undefined && other.blockId !== step.blockId) {
      const idAt = typeof step.block.options['id'] === 'string' ? optionAt(step.block, 'id') : step.block.infoAt;
      fail(idAt, `step id \`${step.id}\` is also the id of a step of block \`${other.blockId}\`: choose another {id=…}`, [
        { at: other.block.infoAt, message: `block \`${other.blockId}\` is here` },
      ]);
    }
    if (other === undefined) stepsById.set(step.id, step);
  }
  for (const node of blockNodes) {
    const step = stepsById.get(node.id);
    // `{id=x.2}` and the second step of a block `x`: a target, `--force` or `logs` naming `x.2` would mean either.
    // A block of one step, whose id is its step's, was said above.
    if (step !== undefined && step.blockId !== node.id && !node.steps.includes(node.id)) {
      const at = typeof node.block.options['id'] === 'string' ? optionAt(node.block, 'id') : node.block.infoAt;
      fail(at, `block id \`${node.id}\` is also the id of a step of block \`${step.blockId}\`: a target naming it would mean either: choose another {id=…}`, [
        { at: step.at, message: `step \`${step.id}\` is here` },
      ]);
    }
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
  const pipeline: Pipeline = {
    document, environments, steps, stepsById, blocks, inputs,
    workdir: document.frontmatter?.path ?? '/root',
    variables: document.frontmatter?.variables ?? new Map(),
  };
  // With errors, what was built is only for finding more of them (load.ts): the steps lack what failed.
  return diagnostics.length > 0 ? { pipeline: undefined, partial: pipeline, diagnostics } : { pipeline, diagnostics };
}

/**
 * The place of the character `offset` into a frontmatter value that starts at `at`:
 * a quoted YAML scalar's text starts one column after its quote.
 */
function valueAt(source: string, at: Position, offset: number): Position {
  const first = source.split('\n')[at.line - 1]?.[at.col - 1];
  return { line: at.line, col: at.col + offset + (first === '"' || first === "'" ? 1 : 0) };
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

function blockNodeOf(block: SharkBlock, id: string, steps: readonly Step[], environments: ReadonlyMap<string, Environment>): BlockNode {
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  for (const s of steps) {
    for (const o of s.outputs) outputs.add(shownOutput(o));
  }
  // What the block reads from outside itself: a path its own steps write, or write into, is internal.
  const own = new Set(steps.map((s) => s.id));
  for (const s of steps) {
    for (const i of s.inputs) {
      if (i.from.some((from) => !own.has(from))) inputs.add(shownInput(i));
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
