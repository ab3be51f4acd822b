import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { RunSession } from '../exec/executor.js';
import { importerFor } from '../imports/registry.js';
import { importLockKey, updateLock } from '../lockfile.js';
import { parseMarkdown } from '../markdown/parse.js';
import { findReferences } from '../pipeline/axes.js';
import { parseImportLine } from '../pipeline/import-clause.js';
import { findMentions, type Mention } from '../pipeline/mentions.js';
import { runSteps } from '../pipeline/run-steps.js';
import { shellWords } from '../pipeline/shell-words.js';
import type { Pipeline, RunStep } from '../pipeline/pipeline.js';
import { Writers } from '../pipeline/writers.js';
import { importContext } from '../plan/session.js';
import type { SnapshotId, TreeEntry, Workspace } from '../store/snapshot-store.js';
import { linkOutOfData, runsOnHost } from '../exec/run/host-links.js';
import { decideLast } from './decide.js';
import { piecesOf, renderDocument, type DocStep } from './document.js';
import { contributing, finalOutputs, liveSteps, writersOf, type Entry, type StepEntry } from './history.js';
import { linkedOutputs } from './linked-outputs.js';
import { recordStep, type StepContext } from './record-step.js';
import { idAt, storeScan } from './tree.js';
import { compare, openView, outputDirs, runIn, unkeepable, type Live } from './working-view.js';

/** What one line did, for the transcript. */
export type Outcome =
  | { readonly kind: 'inspection' }
  | { readonly kind: 'step'; readonly step: StepEntry }
  | { readonly kind: 'failed'; readonly why: string };

/**
 * One interactive session: /data as it stands (a tree in the store), the
 * history of what was typed, and the base document (FILE) it continues.
 * Every command runs in a fresh working view of /data; what it changed is
 * kept as a step, committed under the key `shark run` computes for it.
 */
export class ShellSession {
  readonly history: Entry[] = [];
  /**
   * Absolute paths this session saved to (and `--save`'s), with the text it
   * wrote there: `:save` overwrites them without `!` while they still hold it.
   */
  readonly savedTo = new Map<string, string | undefined>();
  /** Steps (by number) a `:save` has written: leaving with others asks first (`unsavedSteps`). */
  readonly savedSteps = new Set<number>();
  env: string | undefined;
  private commands = 0;

  constructor(
    readonly session: RunSession,
    /** FILE's text ('' without FILE): the saved document starts with it. */
    readonly base: string,
    readonly docName: string,
    public root: SnapshotId | undefined,
    readonly baseOutputs: readonly string[],
    readonly envIds: Map<string, string>,
    readonly hostInputs: ReadonlyMap<string, string>,
    readonly runId: number,
  ) {}

  /** The saved document, as it stands. */
  document(extra?: DocStep): string {
    const keep = new Set(contributing(this.history).map((s) => s.n));
    return renderDocument(this.base, piecesOf(this.history, keep, extra), extra === undefined ? this.publishable().listed : [], this.docName);
  }

  /**
   * The final outputs, directories written with a trailing `/`: those the
   * publish block lists, and those it cannot (a name with white space, which
   * the block would split into two paths; it has no quoting).
   */
  publishable(): { listed: string[]; unlisted: string[] } {
    const entries = (id: SnapshotId): readonly TreeEntry[] | undefined => this.session.store.entries(id);
    // FILE's results never change in a session: where they are in /data now is what FILE made.
    const base = this.baseOutputs.flatMap((p) => {
      const id = idAt(this.root, p, entries);
      return id === undefined ? [] : [[p, id] as const];
    });
    const ids = new Map([...base, ...liveSteps(this.history).flatMap((s) => [...s.outputs])]);
    const final = linkedOutputs(this.history, finalOutputs(this.history), ids, entries, this.baseOutputs);
    const all = final.map((p) => (ids.get(p)?.startsWith('tree:') === true ? `${p}/` : p));
    return { listed: all.filter((p) => !/\s/.test(p)), unlisted: all.filter((p) => /\s/.test(p)) };
  }

  comment(text: string): void {
    this.history.push({ kind: 'comment', text });
  }

  /** Runs a command typed at the prompt, in the current environment. */
  async run(typed: string, live: Live): Promise<Outcome> {
    const step = this.executable(typed);
    if (typeof step === 'string') return this.fail(typed, step);
    const ws = await openView(this.session, this.root, `shell-${++this.commands}`);
    try {
      // As `shark run` refuses it: what the saved step would fail with is never kept.
      const outside = this.linkOut(step, ws) ?? outputDirs(step, ws);
      if (outside !== undefined) return this.fail(typed, outside);
      const logPath = this.logPath();
      const outcome = await runIn(this.session, step, ws, logPath, live);
      if (outcome.status === 'cancelled') return this.fail(typed, 'interrupted; its writes were discarded');
      if (outcome.status === 'timeout') return this.fail(typed, outcome.message);
      // On one line, as the prompt's notes are: an engine's message comes in lines, ending in a full stop.
      if (outcome.status === 'failed') return this.fail(typed, `${outcome.message.replace(/\s*\n\s*/g, ' ').replace(/\.$/, '')}; its writes were discarded`);
      return await this.keeping(typed, ws, async () => {
        const { after, changes } = compare(this.session, ws, this.root);
        if (changes.length === 0) {
          this.history.push({ kind: 'inspection', env: this.env, typed });
          return { kind: 'inspection' };
        }
        return await this.keep(typed, false, ws, after, changes);
      });
    } finally {
      await this.session.store.disposeWorkspace(ws).catch(() => undefined);
    }
  }

  /**
   * `:import SOURCE DEST [CHECKSUM] [extract]`: the line is a `shark-import`
   * line, read by its own parser, brought in as that block would, and
   * recorded as a step.
   */
  async import(typed: string, live: Live): Promise<Outcome> {
    const parsed = parseImportLine(typed);
    if (!parsed.ok) return this.fail(`:import ${typed}`, parsed.message);
    const decided = await decideLast(this.session, this.docName, this.document({ env: undefined, line: typed, isImport: true, notes: [] }), this.envIds, this.hostInputs);
    if (!decided.ok) return this.fail(`:import ${typed}`, decided.message);
    if (decided.step.kind !== 'import') return this.fail(`:import ${typed}`, 'not an import');
    const step = decided.step;
    const ws = await openView(this.session, this.root, `shell-${++this.commands}`);
    try {
      const ctx = importContext(this.session, step, live.signal, () => undefined);
      const fetched = await importerFor(step.clause.source).fetch(step.clause, decided.job.record.pin ?? {}, ws.root + step.clause.dest, ctx);
      if (!fetched.ok) return this.fail(`:import ${typed}`, fetched.message);
      if (step.clause.source.scheme !== 'file') {
        const key = importLockKey(step.clause.raw, step.clause.dest);
        updateLock(this.session.lockPath, (lock) => void (lock.imports[key] = fetched.pin));
        this.session.lock.imports[key] = fetched.pin;
      }
      return await this.keeping(`:import ${typed}`, ws, async () => {
        const { after, changes } = compare(this.session, ws, this.root);
        if (changes.length === 0) return this.fail(`:import ${typed}`, `${step.clause.dest} is already in /data as it would be imported`);
        return await this.keep(typed, true, ws, after, changes);
      });
    } finally {
      await this.session.store.disposeWorkspace(ws).catch(() => undefined);
    }
  }

  /** `:undo`: the last step's effects leave /data (its outputs go, what it deleted comes back). */
  undo(): StepEntry | undefined {
    const last = liveSteps(this.history).pop();
    if (last === undefined) return undefined;
    last.undone = true;
    this.root = last.before;
    return last;
  }

  async useEnv(name: string, signal: AbortSignal): Promise<string | undefined> {
    if (name === 'host') {
      this.env = undefined;
      return undefined;
    }
    // FILE's text is never empty (a document has a block): '' is a session without FILE.
    const unknown = unknownEnvironment(name, this.session.pipeline, this.base === '' ? undefined : this.docName);
    if (unknown !== undefined) return unknown;
    const env = await this.session.envs.ensure(name, signal);
    if ('error' in env) return `environment ${name}: ${env.error}`;
    this.envIds.set(name, env.id);
    this.env = name;
    return undefined;
  }

  /**
   * `take` (the view compared with /data, its changes kept), or a failure of
   * the command when the store cannot keep what it left (`unkeepable`): the
   * session, whose history is nowhere else, goes on.
   */
  private async keeping(shown: string, ws: Workspace, take: () => Promise<Outcome>): Promise<Outcome> {
    try {
      return await take();
    } catch (e) {
      const why = unkeepable(e, ws);
      if (why === undefined) throw e;
      return this.fail(shown, `${why}; its writes were discarded`);
    }
  }

  private async keep(typed: string, isImport: boolean, ws: Parameters<typeof recordStep>[4], after: Parameters<typeof recordStep>[5], changes: Parameters<typeof recordStep>[6]): Promise<Outcome> {
    const env = isImport ? undefined : this.env;
    const recorded = await recordStep(this.context(), typed, env, isImport, ws, after, changes);
    const shown = isImport ? `:import ${typed}` : typed;
    if (!recorded.ok) return this.fail(shown, `not kept: ${recorded.why}; its writes were discarded`);
    const n = this.history.filter((e) => e.kind === 'step').length + 1;
    const before = this.root;
    this.root = after === undefined ? undefined : storeScan(after, (e) => this.session.store.composeTree(e));
    const step: StepEntry = {
      kind: 'step', n, env, typed: shown, line: recorded.line, isImport, notes: recorded.notes,
      inputs: recorded.inputs, outputs: recorded.outputs, deletes: recorded.deletes,
      readsFrom: writersOf(this.history, recorded.inputs), before, after: this.root, key: recorded.key, undone: false,
    };
    this.history.push(step);
    return { kind: 'step', step };
  }

  private context(): StepContext {
    return {
      session: this.session, history: this.history, baseOutputs: this.baseOutputs, envIds: this.envIds, hostInputs: this.hostInputs,
      docName: this.docName, runId: this.runId, documentWith: (step) => this.document(step),
    };
  }

  private fail(typed: string, why: string): Outcome {
    this.history.push({ kind: 'failed', env: this.env, typed, why });
    return { kind: 'failed', why };
  }

  /**
   * Why a command on the host may not be given what it names of the view: a
   * link a step made that leads out of /data (`/data/h` to `/etc/hostname`),
   * which the host would follow onto its own files (run-job.ts).
   */
  private linkOut(step: RunStep, ws: Workspace): string | undefined {
    if (!runsOnHost(this.session.envs.current(step.env ?? ''))) return undefined;
    const entries = (id: SnapshotId): readonly TreeEntry[] | undefined => this.session.store.entries(id);
    const named = step.mentions.flatMap((m) => {
      const id = m.path.text === '/data' ? this.root : idAt(this.root, m.path.text, entries);
      return id === undefined ? [] : [{ path: m.path.text, id }];
    });
    return linkOutOfData(ws.root, named);
  }

  /** The command as a run step of the current environment (for its /data paths, /data alone too), or why it cannot run. */
  private executable(typed: string): RunStep | string {
    const tag = this.env === undefined ? 'shark-run' : `shark-run:${this.env}`;
    // `%{NAME}` is replaced as a document's is: the command ran with it as text, keyed as the saved step replaced.
    const text = withValues(typed, new Map(this.session.variables));
    if (!text.ok) return text.message;
    const fence = '`'.repeat(Math.max(3, ...[...text.value.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    const parsed = parseMarkdown(this.docName, `${fence}${tag}\n${text.value}\n${fence}\n`);
    const block = parsed.document.blocks[0];
    if (block === undefined) return 'not a command';
    const problems: string[] = [];
    const steps = runSteps(block, 'shell', 0, () => 'shell', new Writers(), (_at, message) => problems.push(message));
    const step = steps[0];
    // At the prompt the block is the line: what a block would close later, a command must close on it.
    const atPrompt = (m: string): string => m.replace(/: no .* before the end of the block$| at the end of the block$/, ': a command at the prompt is one line (close it on the line, or put it in a script)');
    if (step?.kind !== 'run') return problems[0] !== undefined ? atPrompt(problems[0]) : 'nothing to run (each command runs in a fresh shell: `cd` and `export` lines do not carry over)';
    // A path no document may name (one out of /data) is never rewritten into the view: the host shell would take
    // it as the machine's own. Only /data alone is, at the prompt: the whole view (a step cannot name it).
    const found = findMentions(shellWords(step.command), () => step.at);
    const roots: Mention[] = [];
    for (const m of found) {
      if (m.ok) continue;
      if (m.root === undefined) return m.message;
      roots.push({ path: { text: '/data', isDir: true }, redirect: undefined, offset: m.root, at: m.at, program: undefined });
    }
    return { ...step, mentions: [...step.mentions, ...roots] };
  }

  private logPath(): string {
    const dir = join(this.session.store.metaDir, 'logs', String(this.runId));
    mkdirSync(dir, { recursive: true });
    return join(dir, `shell-${this.commands}.log`);
  }
}

/**
 * Why `name` is no environment of the session, naming those that are, as
 * `run` names them for a block whose environment has no `shark-build` block;
 * undefined when it is one. `file` is FILE's name, undefined without FILE.
 */
export function unknownEnvironment(name: string, pipeline: Pipeline, file: string | undefined): string | undefined {
  if (name === 'host' || pipeline.environments.has(name)) return undefined;
  const defined = `(defined: ${['host', ...pipeline.environments.keys()].join(', ')})`;
  return file === undefined
    ? `environment \`${name}\` has no shark-build block: without FILE, commands run on the host only ${defined}; start the shell with a document whose shark-build blocks define environments`
    : `environment \`${name}\` has no shark-build block in ${file} ${defined}`;
}

/** A command typed at the prompt with each `%{NAME}` replaced by the value of the document's scalar key NAME, as a document's (the shell takes no `-e`). */
function withValues(typed: string, values: ReadonlyMap<string, string>): { ok: true; value: string } | { ok: false; message: string } {
  const found = findReferences(typed);
  if (!found.ok) return { ok: false, message: found.message };
  let value = typed;
  for (const ref of [...found.refs].reverse()) {
    const v = values.get(ref.name);
    if (v === undefined) return { ok: false, message: `unknown \`%{${ref.name}}\`: at the prompt it names a scalar frontmatter key of the document (${[...values.keys()].join(', ') || 'the document has none'})` };
    value = value.slice(0, ref.start) + v + value.slice(ref.end);
  }
  return { ok: true, value };
}
