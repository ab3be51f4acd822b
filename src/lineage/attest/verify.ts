import type { KeyObject } from 'node:crypto';
import { sha256 } from '../../store/hash.js';
import type { LineageNode } from '../lineage.js';
import { freedMessage, misrecordedMessage, storedDigests, storedOutputs, unsoundMessage, type FileDigest } from './digests.js';
import { decodeBase64, IN_TOTO_PAYLOAD_TYPE, verifyEnvelope } from './dsse.js';
import { SLSA_PROVENANCE, STATEMENT_TYPE, type Statement } from './statement.js';
import { damagedMessage, type AttestationRow, type Attestations } from './store.js';
import { listAt } from '../../multimap.js';
import { within } from '../../pipeline/data-path.js';
import { SHARK_NS } from '../export/namespace.js';
import { short } from '../../plan/key.js';
import type { Session } from '../../plan/session.js';
import type { Metadata } from '../../store/metadata.js';
import type { ResultVersion } from '../../store/result-history.js';
import type { SnapshotStore } from '../../store/snapshot-store.js';
import { shownName } from '../../printable.js';
import { PerRun } from '../per-run.js';
import { indexedOutputsProblem, storedResultProblems } from './stored-result.js';
import { indexedOutputs } from '../../store/index-check.js';
import { namingProblems } from './signed-names.js';

export interface VerifyReport {
  readonly checked: number;
  /** Each one names the job it is about. */
  readonly problems: readonly string[];
  /**
   * What was not checked, and why it is no problem: an ancestor's data gc
   * freed (a kept `{precious}` result's old upstream), whose envelope is
   * still checked, and its subjects against the digests its readers signed.
   */
  readonly notes: readonly string[];
}

const show = (d: FileDigest): string => `${d.name} (sha256 ${d.digest.sha256.slice(0, 12)}…)`;
const same = (a: FileDigest, b: FileDigest): boolean => a.name === b.name && a.digest.sha256 === b.digest.sha256;
/** What `same` compares, as one string. */
const subjectKey = (d: FileDigest): string => `${d.name}\0${d.digest.sha256}`;


/** A subject as `statementFor` writes it: what `sign` reads of an envelope whose signatures it does not check. */
const isSubject = (d: unknown): boolean => typeof d === 'object' && d !== null && typeof (d as FileDigest).name === 'string'
  && typeof (d as FileDigest).digest === 'object' && (d as FileDigest).digest !== null && typeof (d as FileDigest).digest.sha256 === 'string';

/** The statement of a verified envelope, or why it cannot be read. */
export function statementOf(payloadType: string, payload: string): Statement | string {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return `payload type is ${JSON.stringify(payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`;
  try {
    const s = JSON.parse(decodeBase64(payload)?.toString('utf8') ?? '') as Statement | null;
    if (s?._type !== STATEMENT_TYPE || s.predicateType !== SLSA_PROVENANCE || !Array.isArray(s.subject) || !s.subject.every(isSubject)) {
      return 'the payload is not an in-toto statement with SLSA provenance';
    }
    return s;
  } catch {
    return 'the payload is not JSON';
  }
}

/**
 * Why a statement is not about job `n`'s result, if it is not: it must name
 * the job's cache key (what the command, environment and inputs hash to)
 * and the run that made the result (`statementFor`'s invocation id). An
 * envelope moved in the database from another job, or from an earlier
 * result of the same key, is signed, but says nothing about this one.
 */
export function bindingProblem(statement: Partial<Statement>, n: LineageNode): string | undefined {
  const key = statement.predicate?.buildDefinition?.internalParameters?.['cacheKey'];
  const invocation = statement.predicate?.runDetails?.metadata?.invocationId;
  const run = typeof invocation === 'string' && invocation.startsWith(SHARK_NS)
    ? /^run\/(\d+)\/job\/[^/]+$/.exec(invocation.slice(SHARK_NS.length))?.[1] : undefined;
  if (key === n.key && run === String(n.run)) return undefined;
  if (key === n.key && run !== undefined) return `${n.job}: its envelope is of another result of this job (made by run ${run}), not of the one run ${n.run} made`;
  const theirs = `cache key ${typeof key === 'string' ? short(key) : 'none'}, run ${run ?? 'none'}`;
  return `${n.job}: its envelope is about another job (${theirs}), not this one (cache key ${short(n.key)}, run ${n.run})`;
}

/**
 * The stored result each job's node was read from (the version the run that
 * made it made, as lineage reads it), by run and key: one statement a run.
 */
function storedVersions(meta: Metadata, nodes: readonly LineageNode[]): PerRun<ResultVersion> {
  const byRun = new Map<number, string[]>();
  for (const n of nodes) listAt(byRun, n.run).push(n.key);
  const found = new PerRun<ResultVersion>();
  for (const [run, keys] of byRun) for (const [key, v] of meta.history.ofRun(keys, run)) found.set(run, key, v);
  return found;
}

/**
 * What is true of job `n` whose cache key's envelope (`row`) is filed under
 * another run: either the envelope is about this very result and its row
 * was changed, or it is an earlier result's and this one ran unsigned
 * (`run --force` without `--sign`).
 */
function otherRunProblem(n: LineageNode, row: AttestationRow): string {
  const statement = statementOf(row.envelope.payloadType, row.envelope.payload);
  if (typeof statement !== 'string' && bindingProblem(statement, n) === undefined) {
    return `${n.job}: its envelope is about this result (run ${n.run}), but the store files it under run ${row.runId}`;
  }
  return `${n.job}: no envelope (it ran without --sign): the one stored under its cache key is of run ${row.runId}'s result`;
}

/**
 * Checks the envelope of every job in an ancestry: a trusted key signed it
 * (`threshold` distinct keys for the result's own jobs, one for the rest),
 * about this job's result (`bindingProblem`), which the store records as it
 * says (`storedResultProblems`: what lineage, why and diff show);
 * its subjects are exactly the job's outputs as the store holds them now; and
 * each input it names is a subject of the envelope of the job upstream that
 * wrote it, or, for data from the host, matches the stored bytes.
 */
export async function verifyAncestry(
  nodes: readonly LineageNode[], top: readonly LineageNode[],
  { store, meta, pipeline, pipelinePath }: Pick<Session, 'store' | 'meta'> & { readonly pipeline?: Session['pipeline']; readonly pipelinePath?: string }, attestations: Attestations,
  keys: readonly KeyObject[], threshold: number,
): Promise<VerifyReport> {
  const problems: string[] = [];
  const notes: string[] = [];
  const trusted = new Map<string, Statement>();
  const tops = new Set(top.map((n) => n.key));
  const results = storedVersions(meta, nodes);
  for (const n of nodes) {
    const row = attestations.get(n.key, n.run);
    if (row === undefined) {
      const other = attestations.ofKey(n.key);
      problems.push(other === undefined ? `${n.job}: no envelope is stored for its result (it ran without --sign, or the envelope was removed)` : otherRunProblem(n, other));
      continue;
    }
    if (row.damaged !== undefined) {
      problems.push(damagedMessage(n.job, row.damaged));
      continue;
    }
    const accepted = verifyEnvelope(row.envelope, keys).accepted.length;
    const needed = tops.has(n.key) ? threshold : 1;
    if (accepted === 0) {
      problems.push(`${n.job}: no trusted key signed its envelope (the payload was changed, or signed by another key)`);
      continue;
    }
    if (accepted < needed) problems.push(`${n.job}: signed by ${accepted} trusted key${accepted === 1 ? '' : 's'}, ${needed} required`);
    const statement = statementOf(row.envelope.payloadType, row.envelope.payload);
    if (typeof statement === 'string') {
      problems.push(`${n.job}: ${statement}`);
      continue;
    }
    const unbound = bindingProblem(statement, n);
    if (unbound !== undefined) {
      problems.push(unbound);
      continue;
    }
    const version = results.get(n.run, n.key);
    problems.push(...storedResultProblems(n, version, statement));
    // The stored result (not a version replaced since) is the one a run reuses, through the index.
    const unindexed = version?.fate === null ? indexedOutputsProblem(n.job, version, indexedOutputs(meta.db, n.key)) : undefined;
    if (unindexed !== undefined) problems.push(unindexed);
    const named = namingProblems(n, statement, meta);
    problems.push(...named.problems);
    notes.push(...named.notes);
    const repaired = n.dropped === true && meta.history.repaired(n.key, n.run);
    if (n.dropped === true && !repaired) problems.push(`${n.job}: its result is missing from the store's results, yet no \`shark fsck --repair\` dropped it`);
    trusted.set(n.key, statement);
    const { digests: stored, unsound, freed, misrecorded } = await storedOutputs(store, n.outputs);
    for (const u of unsound) problems.push(`${n.job}: ${unsoundMessage(u, repaired)}`);
    for (const m of misrecorded) problems.push(`${n.job}: ${misrecordedMessage(m)}`);
    // The result asked about must be there to be verified; an ancestor gc freed is checked by its digests only.
    for (const f of freed) (tops.has(n.key) ? problems : notes).push(`${n.job}: ${freedMessage(f, n.run)}${tops.has(n.key) ? '' : ': its subjects were not hashed again'}`);
    const gone = [...unsound, ...freed];
    for (const s of statement.subject) {
      const now = stored.find((d) => d.name === s.name);
      if (now === undefined && gone.some((u) => within(s.name, u))) continue;
      if (now === undefined) problems.push(`${n.job}: subject ${show(s)} is not an output of the job`);
      else if (!same(now, s)) problems.push(`${n.job}: subject ${show(s)} does not match the stored bytes (sha256 ${now.digest.sha256.slice(0, 12)}…)`);
    }
    for (const d of stored) if (!statement.subject.some((s) => s.name === d.name)) problems.push(`${n.job}: output ${d.name} is not a subject of its envelope`);
  }
  // Each subject of a trusted envelope, with the jobs whose envelopes name it: indexed once, since an
  // import's envelope names thousands of files and every job reading one of them asks about it.
  const signedBy = new Map<string, string[]>();
  for (const [key, statement] of trusted) {
    for (const subject of statement.subject) listAt(signedBy, subjectKey(subject)).push(key);
  }
  const fromDocument = documentInputs(meta, pipeline, pipelinePath);
  for (const n of nodes) {
    const statement = trusted.get(n.key);
    if (statement === undefined) continue;
    const signed = statement.predicate.buildDefinition.internalParameters['hostInputs'];
    const host = Array.isArray(signed) && signed.every((p) => typeof p === 'string') ? { paths: signed as string[] } : fromDocument(n.run);
    await checkInputs(n, statement, { store, trusted, signedBy, host, top: tops.has(n.key), problems, notes });
  }
  return { checked: nodes.length, problems, notes };
}

/**
 * The frontmatter inputs of today's document, for an envelope that does not
 * sign its own (`statementFor`'s `hostInputs`, which an older Shark did not
 * write), by the run that made the result: a document edited since that run
 * (or of a run that did not record its document) cannot tell a host input
 * from a step's output whose records were removed. None known while the
 * document does not check (mid-edit): a host input is then vouched for by nothing.
 */
function documentInputs(meta: Metadata, pipeline: Session['pipeline'] | undefined, pipelinePath: string | undefined): (run: number) => InputCheck['host'] {
  const paths = [...pipeline?.inputs.values() ?? []].map((p) => p.replace(/\/$/, ''));
  const now = pipeline === undefined ? undefined : sha256(pipeline.document.source);
  const read = new Map((pipelinePath === undefined ? [] : meta.runs(pipelinePath)).map((r) => [r.id, r.document ?? null]));
  return (run) => {
    const then = read.get(run);
    if (then === now) return { paths };
    const why = then === undefined || then === null ? `run ${run} did not record the document it read` : `the document changed since run ${run}`;
    return { paths, changed: `${why}: its envelope, signed by an older Shark, does not say which inputs came from the host (run it again with --sign)` };
  };
}

/** What checking a job's inputs reads, and where it reports. */
interface InputCheck {
  readonly store: SnapshotStore;
  /** The jobs whose envelopes were verified (by key): any other's problem is already said. */
  readonly trusted: ReadonlyMap<string, Statement>;
  /** The jobs whose trusted envelopes name each subject (`subjectKey`). */
  readonly signedBy: ReadonlyMap<string, readonly string[]>;
  /**
   * The /data paths of the frontmatter inputs (without a trailing slash):
   * as the job's statement signed them, or for an envelope an older Shark
   * signed, today's document's; `changed`: that document is not the one the
   * run read, so its inputs say nothing of the run's.
   */
  readonly host: { readonly paths: readonly string[]; readonly changed?: string };
  /** One of the result's own jobs: data gc freed is a problem, not a note. */
  readonly top: boolean;
  readonly problems: string[];
  readonly notes: string[];
}

/**
 * Each input job `n`'s statement names is a subject of the envelope of a job
 * upstream that wrote it; one no job of the run is recorded writing must be
 * a frontmatter input (data from the host), whose signed digests match the
 * stored bytes. Any other such input is a step missing from the recorded
 * chain (a row deleted from the database), which lineage would show as a host input.
 */
async function checkInputs(n: LineageNode, statement: Statement, c: InputCheck): Promise<void> {
  const deps = statement.predicate.buildDefinition.resolvedDependencies.filter((d): d is FileDigest => d.name.startsWith('/data/') && d.digest?.['sha256'] !== undefined);
  for (const input of n.inputs) {
    const path = input.path.replace(/\/$/, '');
    const mine = deps.filter((d) => within(d.name, path));
    if (input.from.length > 0) {
      // An upstream envelope not verified says nothing of its subjects: its own problem is enough.
      if (input.from.some((f) => !c.trusted.has(f.key))) continue;
      const from = new Set(input.from.map((f) => f.key));
      for (const d of mine) {
        if (!(c.signedBy.get(subjectKey(d)) ?? []).some((k) => from.has(k))) c.problems.push(`${n.job}: input ${show(d)} is not a subject of an upstream envelope`);
      }
      continue;
    }
    if (!c.host.paths.some((h) => within(path, h))) {
      c.problems.push(`${n.job}: input ${shownName(path)} is not a frontmatter input, yet no job of the run is recorded writing it: no upstream envelope vouches for it`);
      continue;
    }
    if (c.host.changed !== undefined) {
      c.problems.push(`${n.job}: input ${shownName(path)}: no job of the run is recorded writing it, and ${c.host.changed}`);
      continue;
    }
    const { digests: stored, unsound, freed, misrecorded } = await storedDigests(c.store, input.id, input.path);
    for (const u of unsound) c.problems.push(`${n.job}: input: ${unsoundMessage(u)}`);
    for (const m of misrecorded) c.problems.push(`${n.job}: input: ${misrecordedMessage(m)}`);
    for (const f of freed) (c.top ? c.problems : c.notes).push(`${n.job}: input: ${freedMessage(f, n.run)}`);
    const gone = [...unsound, ...freed];
    for (const d of mine) {
      if (!stored.some((s) => same(s, d)) && !gone.some((u) => within(d.name, u))) c.problems.push(`${n.job}: input ${show(d)} does not match the stored bytes`);
    }
    if (mine.length === 0 && stored.length > 0) c.problems.push(`${n.job}: input ${input.path} is not among the signed dependencies`);
  }
}
