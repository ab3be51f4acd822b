import { canonicalJson } from '../../canonical-json.js';
import { commandAsRun, inputReasons, keyOf, short } from '../../plan/key.js';
import { printable, shownName } from '../../printable.js';
import type { ResultVersion } from '../../store/result-history.js';
import type { LineageNode } from '../lineage.js';
import { fromResultRow, type LineageRecord } from '../record.js';
import { statementFor, type Statement } from './statement.js';
import { localFilesOf } from '../local-files.js';

type Read = (s: Statement) => unknown;

const external = (field: string): Read => (s) => s.predicate.buildDefinition.externalParameters[field];
const internal = (field: string): Read => (s) => s.predicate.buildDefinition.internalParameters[field];
const version: Read = (s) => s.predicate.runDetails.builder.version['shark'];
const started: Read = (s) => s.predicate.runDetails.metadata.startedOn;
const ended: Read = (s) => s.predicate.runDetails.metadata.finishedOn;
/** `{network=host}` is what lineage shows of the network (a job with none or its own shows nothing). */
const hostNetwork: Read = (s) => internal('network')(s) === 'host';

/**
 * Each field of a job's statement, labelled, and which part of its stored
 * result `statementFor` makes it from: its key record (`internalParameters`),
 * or its meta and times. A store whose result makes another value than the
 * signed one is not the result that was signed, whatever its key says.
 */
const SIGNED: readonly (readonly [label: string, from: 'key record' | 'result', read: Read, since?: true])[] = [
  ['command', 'result', external('command')],
  ['document', 'result', external('pipeline')],
  ['block', 'result', external('block')],
  ['step', 'result', external('step')],
  ['location', 'result', external('location')],
  ['map items', 'result', external('items')],
  ['environment', 'key record', internal('environment')],
  ['working directory', 'key record', internal('cwd')],
  ['container working directory', 'key record', internal('workdir')],
  ['variables', 'key record', internal('variables')],
  ['network', 'key record', internal('network')],
  ['import source', 'key record', internal('source')],
  ['Shark version', 'result', version],
  ['start', 'result', started],
  ['end', 'result', ended],
  // `since`: signed only by a newer Shark; an older statement has none to compare.
  ['host', 'result', internal('host'), true],
];

/**
 * What a lineage node shows (built from the result's `shown` column), each
 * with the signed value it stands for. `since`: a value an older Shark did
 * not sign, or (variables) did not show: compared only where both have it.
 */
const SHOWN: readonly (readonly [label: string, shown: (n: LineageNode) => unknown, signed: Read, since?: true])[] = [
  ['command', (n) => n.command, external('command')],
  ['environment', (n) => n.environment, internal('environment')],
  ['import source', (n) => n.source, internal('source')],
  ['network', (n) => n.network === 'host', hostNetwork],
  ['Shark version', (n) => n.version, version],
  ['start', (n) => n.started, started],
  ['end', (n) => n.ended, ended],
  ['variables', (n) => n.variables, (s) => internal('variables')(s) ?? {}, true],
  ['host', (n) => n.host, internal('host'), true],
];

const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** A value in a message: on one line, cut short. */
function shown(v: unknown): string {
  const text = printable(typeof v === 'string' ? v : canonicalJson(v ?? null));
  return `\`${text.length > 120 ? `${text.slice(0, 119)}…` : text}\``;
}

const differs = (job: string, what: string, mine: unknown, signed: unknown): string =>
  `${job}: ${what} is not the signed one: ${shown(mine)} (signed: ${shown(signed)})`;

/**
 * Whether the store's result of job `n` (`stored`: the version its run made)
 * is the one its verified statement is about, as `lineage`, `why`, `diff`
 * and the exports read it: its key record hashes to the job's cache key
 * (which the statement names), the record, meta and times give again what
 * the statement says, and the node lineage built (from the result's `shown`
 * column) shows the same. Each problem names the job and what differs.
 */
export function storedResultProblems(n: LineageNode, stored: ResultVersion | undefined, statement: Statement): string[] {
  if (stored === undefined) return [`${n.job}: its result (made by run ${n.run}) is not in the store`];
  let r: LineageRecord;
  try {
    r = fromResultRow(stored);
  } catch (e) {
    return [`${n.job}: its stored result cannot be read (${(e as Error).message})`];
  }
  const problems: string[] = [];
  if (keyOf(r.record) !== n.key) problems.push(`${n.job}: its stored key record does not hash to its cache key ${short(n.key)}: it is not the record the job ran with`);
  const command = external('command')(statement);
  if (commandAsRun(r.record) !== command) problems.push(differs(n.job, 'the command of its stored key record', commandAsRun(r.record), command));
  const made = statementFor(r, n.job, [], []);
  for (const [label, from, read, since] of SIGNED) {
    if (since && read(statement) === undefined) continue;
    if (!same(read(made), read(statement))) problems.push(differs(n.job, `the ${label} of its stored ${from}`, read(made), read(statement)));
  }
  for (const [label, of, read, since] of SHOWN) {
    if (since && (of(n) === undefined || read(statement) === undefined)) continue;
    if (!same(of(n), read(statement))) problems.push(differs(n.job, `the ${label} lineage shows`, of(n), read(statement)));
  }
  // The local files it used are not in the statement, but in the key record its cache key signs.
  const files = localFilesOf(r.record.files ?? [], r.record.deps ?? []);
  if (n.files !== undefined && !same(n.files, files)) problems.push(differs(n.job, 'the local files lineage shows', n.files, files));
  const inputs = inputReasons(r.record.inputs, n.inputs.map((i) => [i.path, i.id]));
  if (inputs.length > 0) problems.push(`${n.job}: lineage shows other inputs than its stored key record (${inputs.join(', ')})`);
  const outputs = otherOutputs(r.outputs, n.outputs);
  if (outputs.length > 0) problems.push(`${n.job}: lineage shows other outputs than its stored result (${outputs.join(', ')})`);
  return problems;
}

/**
 * The problem of a stored result whose rows in the index of outputs (what
 * `run` finds a cached job's outputs through) give other ids than it
 * records: a run would reuse other bytes than the ones signed and shown.
 */
export function indexedOutputsProblem(job: string, stored: ResultVersion, indexed: Readonly<Record<string, string>>): string | undefined {
  let outputs: Readonly<Record<string, string>>;
  try {
    outputs = fromResultRow(stored).outputs;
  } catch {
    // Said by `storedResultProblems`.
    return undefined;
  }
  const other = otherOutputs(outputs, indexed, 'indexed');
  return other.length === 0 ? undefined
    : `${job}: the store's index of outputs, which a run reuses them through, gives other outputs than its stored result (${other.join(', ')}): run \`shark fsck --repair\``;
}

/** Each output path whose id differs between the stored result and lineage (its `shown` column) or the index, or that one of them lacks. */
function otherOutputs(stored: Readonly<Record<string, string>>, other: Readonly<Record<string, string>>, as = 'shown'): string[] {
  const id = (v: string | undefined): string => (v === undefined ? 'none' : short(v));
  const paths = [...new Set([...Object.keys(stored), ...Object.keys(other)])].sort();
  return paths.filter((p) => stored[p] !== other[p]).map((p) => `${shownName(p)}: stored ${id(stored[p])}, ${as} ${id(other[p])}`);
}
