import { hostname } from 'node:os';
import type { RunSession } from '../exec/executor.js';
import { shownUrls } from '../imports/shown-url.js';
import { toResultRow, type LineageRecord } from '../lineage/record.js';
import { isUnder } from '../pipeline/data-path.js';
import { isDirectoryOutput } from '../pipeline/pipeline.js';
import { splitCommands } from '../pipeline/shell-lines.js';
import type { Job } from '../plan/jobs.js';
import { keyOf } from '../plan/key.js';
import { shellRunOf } from '../store/run-table.js';
import type { SnapshotId, Workspace } from '../store/snapshot-store.js';
import { unstorableOutput } from '../store/storable.js';
import { VERSION } from '../version.js';
import { climbs } from './climbs.js';
import { decideLast, type Decided } from './decide.js';
import type { DocStep } from './document.js';
import { contributing, liveSteps, ownerOf, type Entry } from './history.js';
import type { Change, Scan } from './tree.js';

/** What the session knows that deciding a step needs. */
export interface StepContext {
  readonly session: RunSession;
  readonly history: readonly Entry[];
  /** Paths FILE's steps write: the session may add beside them, never change or remove them. */
  readonly baseOutputs: readonly string[];
  readonly envIds: ReadonlyMap<string, string>;
  /** `-i NAME=PATH` of FILE's frontmatter inputs. */
  readonly hostInputs: ReadonlyMap<string, string>;
  readonly docName: string;
  readonly runId: number;
  /** The document so far with `step` last (the session's contributing steps, then it). */
  readonly documentWith: (step: DocStep) => string;
}

export type Recorded =
  | { readonly ok: true; readonly line: string; readonly notes: string[]; readonly inputs: string[]; readonly outputs: Map<string, SnapshotId>; readonly deletes: string[]; readonly key: string }
  | { readonly ok: false; readonly why: string };

/** Why a change cannot be part of a pipeline (each path has one writer; data is never changed in place), or undefined. */
export function refusal(ctx: StepContext, changes: readonly Change[]): string | undefined {
  for (const c of changes) {
    const base = ctx.baseOutputs.find((o) => o === c.path || isUnder(c.path, o) || (c.kind === 'deleted' && isUnder(o, c.path)));
    if (c.kind !== 'created' && base !== undefined) return `it ${c.kind === 'changed' ? 'changes' : 'deletes'} ${c.path}, a result of ${ctx.docName}`;
    if (c.kind === 'changed') {
      const owner = ownerOf(ctx.history, c.path);
      return `it changes ${c.path} in place${owner === undefined ? '' : ` (written by step ${owner.step.n})`}: a pipeline writes each path once, so write a new file instead`;
    }
    if (c.kind === 'deleted') {
      const owner = ownerOf(ctx.history, c.path);
      if (owner !== undefined && owner.output !== c.path) return `it deletes ${c.path}, part of ${owner.output} (written by step ${owner.step.n}): delete the whole output, or write a new one`;
    }
    if (c.kind === 'created') {
      const again = writtenBefore(ctx.history, c.path);
      if (again !== undefined) return `it writes ${c.path}, which ${again}: a pipeline writes each path once, so write a new file instead`;
    }
  }
  return undefined;
}

/**
 * Who wrote `path` (or what is in it) before, when that step is still in the
 * document: its output was deleted, but a step that read it keeps it there,
 * and a document cannot say that the path is written twice. Named as the
 * prompt numbers steps.
 */
function writtenBefore(history: readonly Entry[], path: string): string | undefined {
  const kept = contributing(history);
  for (const s of kept) {
    const output = [...s.outputs.keys()].find((o) => o === path || isUnder(o, path));
    if (output === undefined) continue;
    const deleter = liveSteps(history).find((t) => t.n > s.n && t.deletes.some((d) => d === output || isUnder(output, d)));
    const reader = kept.find((t) => t.readsFrom.includes(s.n));
    const what = output === path ? '' : ` (${output})`;
    const deleted = deleter === undefined ? 'deleted' : `deleted by step ${deleter.n}`;
    const why = reader === undefined ? 'its other outputs are in /data' : `step ${reader.n} read it`;
    return `step ${s.n} wrote too${what} (${deleted}, but kept in the document: ${why})`;
  }
  return undefined;
}

const scanAt = (scan: Scan | undefined, path: string): Scan | undefined => {
  let s = scan;
  for (const name of path.split('/').slice(2)) s = s?.children?.get(name);
  return s;
};

/**
 * Why a word climbing with `..` from a `cd` into /data (`climbs`) reads what
 * a job of the step would not hold: a path of /data the command does not name
 * (nor a directory around it), or one out of /data. Undefined when none does.
 */
function climbsOutOf(job: Job, command: string, after: Scan | undefined): string | undefined {
  const held = [...job.inputs, ...job.outputs].map((p) => p.path);
  for (const c of climbs(command)) {
    const where = `\`${c.word}\` after \`cd ${c.cwd}\``;
    if (!isUnder(c.path, '/data')) return `${where} leads out of /data, where a job has nothing: name a path under /data`;
    // A path that is not there is not there for a job either.
    if (held.some((p) => p === c.path || isUnder(c.path, p)) || scanAt(after, c.path) === undefined) continue;
    return `${where} is ${c.path}, which the command does not name: a job holds only the paths its command names, so \`shark run\` would not find it (name ${c.path})`;
  }
  return undefined;
}

/** Whether a command has a `$` or a backquote outside single quotes (its comment aside): paths Shark cannot see. */
function buildsPaths(typed: string): boolean {
  const command = splitCommands([{ text: typed, line: 1, col: 1 }]).commands.map((c) => c.text).join('\n');
  // Not in single quotes, nor escaped (`awk "{ s += \$1 }"`): those the shell leaves as they are.
  return /[$`]/.test(command.replace(/'[^']*'/g, '').replace(/\\[\\$`]/g, ''));
}

/**
 * Turns a command that changed /data into a step of the document: the line
 * as it will be saved (outputs the command does not name declared after it,
 * so that `shark run` commits them too), decided by the plan's own machinery
 * in the document it will be part of, and its outputs committed under that
 * key, exactly as `shark run` would have committed them.
 */
export async function recordStep(
  ctx: StepContext, typed: string, env: string | undefined, isImport: boolean, ws: Workspace, after: Scan | undefined, changes: readonly Change[],
): Promise<Recorded> {
  const refused = refusal(ctx, changes);
  if (refused !== undefined) return { ok: false, why: refused };
  const created = changes.filter((c) => c.kind === 'created').map((c) => c.path);
  const deletes = changes.filter((c) => c.kind === 'deleted').map((c) => c.path);
  // Only deletions: nothing to commit, and nothing a document can say; the lineage drops what is gone.
  if (created.length === 0) return { ok: true, line: typed, notes: [], inputs: [], outputs: new Map(), deletes, key: '' };
  const notes: string[] = [];
  if (!isImport && buildsPaths(typed)) notes.push('inputs may be incomplete: the command builds paths Shark cannot see');
  const decide = (line: string): Promise<Decided> => decideLast(ctx.session, ctx.docName, ctx.documentWith({ env, line, isImport, notes }), ctx.envIds, ctx.hostInputs);
  let line = typed.trim();
  let decided = await decide(line);
  if (!decided.ok) return { ok: false, why: decided.message };
  // A new directory is covered when everything in it is: the command may name only the files it writes there.
  const covered = (d: Decided & { ok: true }, p: string): boolean => {
    if (d.job.outputs.some((o) => o.path === p || isUnder(p, o.path))) return true;
    const children = scanAt(after, p)?.children;
    return children !== undefined && children.size > 0 && [...children.keys()].every((name) => covered(d, `${p}/${name}`));
  };
  const unnamed = created.filter((p) => !covered(decided as Decided & { ok: true }, p));
  if (unnamed.length > 0 && decided.step.kind === 'run') {
    // A redirection always writes, even into a directory an earlier step wrote; a new directory is named whole.
    const named = unnamed.map((p) => (scanAt(after, p)?.children !== undefined ? `${p}/` : `>> ${p}`));
    line = `${decided.step.command} && : ${named.join(' ')}`;
    const it = unnamed.length === 1 ? 'it' : 'them';
    // What it writes without naming, it probably reads the same way.
    notes.splice(0, notes.length, `writes ${unnamed.join(', ')} without naming ${it} (declared after \`&& :\`): its inputs may be incomplete`);
    decided = await decide(line);
    if (!decided.ok) return { ok: false, why: decided.message };
  }
  const { job, step, stored } = decided;
  const missing = created.find((p) => !covered(decided as Decided & { ok: true }, p));
  if (missing !== undefined) return { ok: false, why: `it writes ${missing}, which a document cannot declare as its output` };
  const absent = job.outputs.find((o) => scanAt(after, o.path) === undefined);
  if (absent !== undefined) return { ok: false, why: `it names ${absent.path} (so a pipeline would expect it to write it) but did not create it` };
  const unheld = step.kind === 'run' ? climbsOutOf(job, step.command, after) : undefined;
  if (unheld !== undefined) return { ok: false, why: unheld };
  const outputs = new Map<string, SnapshotId>();
  // The store holds this command's result for these inputs already: the same bytes are that result.
  if (stored !== undefined && job.outputs.every((o) => stored[o.path] === scanAt(after, o.path)!.id)) {
    for (const o of job.outputs) outputs.set(o.path, scanAt(after, o.path)!.id);
  } else {
    // Other bytes than the stored result's (`shuf`, `date`, a script the command does not name, edited): what it
    // wrote now replaces that result, as `run --force` would, so the saved document gives what the session showed.
    if (stored !== undefined) notes.push('not reproducible: it wrote other bytes than the result stored for this command and its inputs, which they replaced');
    const t0 = Date.now();
    for (const o of job.outputs) {
      const bad = unstorableOutput(ws.root, o.path, isDirectoryOutput(o.output));
      if (bad !== undefined) return { ok: false, why: bad };
    }
    for (const o of job.outputs) {
      const id = await ctx.session.store.commit(ws, o.path);
      if (id === undefined) return { ok: false, why: `${o.path} could not be committed` };
      outputs.set(o.path, id);
    }
    // Placed in the session's document (FILE continued), named as its run is: the line is past FILE's end, no line of FILE.
    const record: LineageRecord = {
      key: keyOf(job.record), identity: job.identity, record: job.record, outputs: Object.fromEntries(outputs), log: null,
      started: t0, ended: Date.now(), runId: ctx.runId,
      meta: {
        block: step.blockId, step: step.id, file: shellRunOf(ctx.docName), line: step.at.line, col: step.at.col,
        command: step.kind === 'run' ? step.command : step.kind === 'import' ? shownUrls(step.clause.raw) : '', env: job.record.env,
        items: [], host: hostname(), version: VERSION, exit: 0,
      },
    };
    ctx.session.meta.recordSuccess(toResultRow(record), { job: job.id, step: step.id, block: step.blockId, line: step.at.line, item: null });
  }
  return { ok: true, line, notes, inputs: job.inputs.map((i) => i.path), outputs, deletes, key: job.key };
}
