import { Command, Option } from 'commander';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ancestry } from '../lineage/attest/ancestry.js';
import { freedMessage, misrecordedMessage, storedOutputs, unsoundMessage } from '../lineage/attest/digests.js';
import { addSignature, keyIdOf } from '../lineage/attest/dsse.js';
import { loadPrivateKey, loadPublicKey } from '../lineage/attest/keys.js';
import { Attestations, damagedMessage } from '../lineage/attest/store.js';
import { bindingProblem, statementOf, verifyAncestry } from '../lineage/attest/verify.js';
import type { LineageNode } from '../lineage/lineage.js';
import { normaliseDataPath } from '../pipeline/data-path.js';
import { notDataPathMessage } from './published-path.js';
import type { Session } from '../plan/session.js';
import { readingByRun, withSessionOptions, collect } from './common-options.js';
import { naturalNumber } from './numbers.js';
import { EXIT_FAILED, EXIT_INVALID, ExitError, refuseReadOnlyStore } from './load-or-report.js';
import type { Io } from './main.js';
import { closeSession, openReading, openRecords, type SessionFlags } from './session-setup.js';
import { counted } from '../counted.js';


function fail(io: Io, message: string, code = EXIT_FAILED): never {
  io.stderr(`shark: ${code === EXIT_INVALID ? 'error: ' : ''}${message}\n`);
  throw new ExitError(code);
}

/** What attest, verify and sign read: the store's records, and the document when it checks (its frontmatter inputs). */
type Opened = Pick<Session, 'store' | 'meta'> & { readonly pipeline?: Session['pipeline'] };

/**
 * Opens the pipeline's store and the ancestry of a /data path in its latest
 * run; not found is exit 1. The ancestry is the records': a document that does
 * not check (mid-edit) is read only by verify, for `instead`.
 */
async function withAncestry(
  file: string, path: string, flags: SessionFlags & RunFlag, io: Io,
  body: (a: { top: readonly LineageNode[]; all: readonly LineageNode[] }, session: Opened, attestations: Attestations) => Promise<void>,
  instead?: string,
): Promise<void> {
  const normal = normaliseDataPath(path);
  if (!normal.ok) fail(io, notDataPathMessage(file, path, normal.message), EXIT_INVALID);
  const reading = instead === undefined ? { records: openRecords(file, flags, io.stderr) } : openReading(file, flags, io.stderr, { instead });
  const session: Opened & { readonly pipelinePath: string } = reading.session ?? reading.records;
  try {
    const found = ancestry(session.meta, session.pipelinePath, normal.path.text, flags.run);
    if (!found.ok) fail(io, found.message, found.unknownRun === true ? EXIT_INVALID : EXIT_FAILED);
    await body(found, session, new Attestations(session.meta));
  } finally {
    closeSession(session);
  }
}

/** attest, verify and sign answer for the latest run that made PATH, or `--run N`'s: `-e` picks no run of theirs. */
const BY_LATEST = readingByRun('it answers for the latest run that made PATH (or --run N)');

interface RunFlag {
  /** `--run N`: a result an earlier run made (one a paper cites), where a later run made the path again or failed. */
  readonly run?: number;
}

/** `--run N`, as `lineage` takes it: the ancestry of the result that run made (or found cached). */
const RUN_OPTION = ['--run <n>', 'the result a run of this pipeline made or reused (default: the latest run that made PATH; see `shark runs`)', naturalNumber('--run')] as const;

export function attestCommand(io: Io): Command {
  return withSessionOptions(
    new Command('attest')
      .description('print the signed envelopes (DSSE, in-toto) of a result and its ancestors, one JSON per line')
      .argument('<file>', 'pipeline markdown file')
      .argument('<path>', 'a /data/... path')
      .option(...RUN_OPTION),
    BY_LATEST,
  ).action((file: string, path: string, flags: SessionFlags & RunFlag) => withAncestry(file, path, flags, io, async ({ all }, _session, attestations) => {
    const missing: LineageNode[] = [];
    let damaged = false;
    for (const n of all) {
      const row = attestations.get(n.key, n.run);
      if (row === undefined) missing.push(n);
      else if (row.damaged !== undefined) io.stderr(`${damagedMessage(n.job, row.damaged)}\n`);
      else io.stdout(JSON.stringify(row.envelope) + '\n');
      damaged ||= row?.damaged !== undefined;
    }
    // `run --sign` finds these cached and signs nothing: only running them again signs them.
    const blocks = [...new Set(missing.map((n) => n.block))].join(',');
    if (missing.length > 0) {
      fail(io, `no envelope for ${missing.map((n) => n.job).join(', ')} (\`shark run --sign KEY\` signs only the jobs it runs, not cached ones: run these again with \`--sign KEY --force ${blocks}\`)`);
    }
    if (damaged) throw new ExitError(EXIT_FAILED);
  }));
}

export function verifyCommand(io: Io): Command {
  return withSessionOptions(
    new Command('verify')
      .description("check the signatures of a result and every ancestor, the store's records of them, their subjects against the stored bytes, and each input against upstream subjects")
      .argument('<file>', 'pipeline markdown file')
      .argument('<path>', 'a /data/... path')
      .option(...RUN_OPTION)
      .option('--key <pub>', 'a trusted public key (repeatable)', collect)
      .addOption(new Option('--threshold <n>', "distinct trusted keys the result's own envelope needs").default('1', '1')),
    BY_LATEST,
  ).action((file: string, path: string, flags: SessionFlags & RunFlag & { key?: string[]; threshold: string }) => {
    const threshold = Number(flags.threshold);
    if (!Number.isInteger(threshold) || threshold < 1) fail(io, `--threshold expects a positive whole number, not \`${flags.threshold}\``, EXIT_INVALID);
    if (flags.key === undefined || flags.key.length === 0) fail(io, 'verify needs at least one --key PUB to trust', EXIT_INVALID);
    const keys: KeyObject[] = [];
    for (const k of flags.key) {
      const loaded = loadPublicKey(k);
      if (!loaded.ok) fail(io, loaded.message, EXIT_INVALID);
      keys.push(loaded.value);
    }
    return withAncestry(file, path, flags, io, async ({ top, all }, session, attestations) => {
      const report = await verifyAncestry(all, top, session, attestations, keys, threshold);
      for (const n of report.notes) io.stdout(`${n}\n`);
      if (report.problems.length > 0) {
        for (const p of report.problems) io.stderr(`${p}\n`);
        fail(io, `${path} does not verify: ${counted(report.problems.length, 'problem')} in the envelopes of ${counted(report.checked, 'job')}`);
      }
      io.stdout(`${path}: verified ${counted(report.checked, 'envelope')} (signatures, the store's records, subjects against the stored bytes, inputs against upstream subjects)\n`);
    }, 'it knows no frontmatter input, so an input no job of the run wrote is vouched for by nothing');
  });
}

export function signCommand(io: Io): Command {
  return withSessionOptions(
    new Command('sign')
      .description("co-sign the envelope of a result (an institution's signature before publishing)")
      .argument('<file>', 'pipeline markdown file')
      .argument('<path>', 'a /data/... path')
      .option(...RUN_OPTION)
      .requiredOption('--key <private>', 'the private key to sign with'),
    BY_LATEST,
  ).action((file: string, path: string, flags: SessionFlags & RunFlag & { key: string }) => {
    const key = loadPrivateKey(flags.key);
    if (!key.ok) fail(io, key.message, EXIT_INVALID);
    return withAncestry(file, path, flags, io, async ({ top }, session, attestations) => {
      for (const n of top) {
        const row = attestations.get(n.key, n.run);
        if (row === undefined) fail(io, `${n.job} has no envelope to co-sign (run with --sign first)`);
        if (row.damaged !== undefined) fail(io, `${damagedMessage(n.job, row.damaged)}; not signing`);
        // A co-signer vouches for bytes: it signs only what matches the store.
        const statement = statementOf(row.envelope.payloadType, row.envelope.payload);
        if (typeof statement === 'string') fail(io, `${n.job}: ${statement}; not signing`);
        const unbound = bindingProblem(statement, n);
        if (unbound !== undefined) fail(io, `${unbound}; not signing`);
        const { digests: stored, unsound, freed, misrecorded } = await storedOutputs(session.store, n.outputs);
        if (unsound.length > 0) fail(io, `${n.job}: ${unsoundMessage(unsound[0]!)}; not signing`);
        if (misrecorded.length > 0) fail(io, `${n.job}: ${misrecordedMessage(misrecorded[0]!)}; not signing`);
        if (freed.length > 0) fail(io, `${n.job}: ${freedMessage(freed[0]!, n.run)}; not signing`);
        const subjects = statement.subject ?? [];
        const matches = subjects.length === stored.length && subjects.every((s) => stored.some((d) => d.name === s.name && d.digest.sha256 === s.digest.sha256));
        if (!matches) fail(io, `${n.job}: its envelope's subjects do not match the stored bytes; not signing`);
        const signed = addSignature(row.envelope, key.value);
        // Only a signature to add writes: one already there is said as on a store this user owns.
        if (signed.added) refuseReadOnlyStore(session.meta, session.store.location, 'sign', io.stderr);
        if (signed.added) attestations.put(row.key, row.runId, row.job, signed.envelope);
        io.stdout(`${n.job}: ${signed.added ? 'co-signed' : 'already signed'} with ${keyIdOf(createPublicKey(key.value))}\n`);
      }
    });
  });
}
