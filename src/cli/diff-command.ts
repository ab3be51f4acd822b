import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Frontmatter } from '../markdown/document.js';
import { parseMarkdown } from '../markdown/parse.js';
import { pickRuns, type Ancestry } from '../lineage/ancestry.js';
import { ancestriesOfContents, type AskedContent, type Place } from '../lineage/content-pair.js';
import { diffAncestries } from '../lineage/diff.js';
import { recordedEntries } from '../lineage/directory-id.js';
import { diffAnswer, nothingToCompare, renderDiff } from '../lineage/render-diff.js';
import { runSubset } from '../lineage/runs.js';
import { hashOnDisk, namedContent, subdirectoryOnDisk, type EntriesOf } from '../lineage/why.js';
import { leadsIntoData, normaliseDataPath } from '../pipeline/data-path.js';
import type { Metadata } from '../store/metadata.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { descend } from '../plan/trees.js';
import { readingByRun, withSessionOptions } from './common-options.js';
import { EXIT_FAILED, EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';
import { naturalNumber } from './numbers.js';
import { closeSession, openRecords, type SessionFlags } from './session-setup.js';
import { printableLines } from '../printable.js';

type DiffFlags = SessionFlags & { from?: number; to?: number; json?: boolean };

export function diffCommand(io: Io): Command {
  return withSessionOptions(
    new Command('diff')
      .description('compare two ancestries of a result: which step is the root cause, which changed only because of it')
      .argument('<file>', 'pipeline markdown file')
      .argument('<what>', 'a /data/... path (compared across runs), or the old result: a content id or a file on disk')
      .argument('[new]', 'with a content id or file as <what>: the new result, likewise')
      .option('--from <run>', 'the old run (default: the latest earlier run in which the path had other content)', naturalNumber('--from'))
      .option('--to <run>', 'the new run (default: the latest)', naturalNumber('--to'))
      .option('--json', 'print the comparison as JSON'),
    readingByRun('it compares the runs --from RUN and --to RUN pick'),
  ).action((file: string, what: string, other: string | undefined, flags: DiffFlags) => {
    // A message quotes what was typed (a path, a file, an id): shown, never obeyed.
    const fail = (message: string): never => {
      io.stderr(`shark: error: ${printableLines(message)}\n`);
      throw new ExitError(EXIT_INVALID);
    };
    // However the kernel spells it (`//data/x`, `/./data/x`), as `lineage` takes it.
    const byPath = leadsIntoData(what);
    if (byPath && other !== undefined) fail('give one /data path (with --from/--to), or two results (content ids or files)');
    if (!byPath && other === undefined) fail(`\`${what}\` is not a /data path: to compare two results, give both (content ids or files)`);
    if (!byPath && (flags.from !== undefined || flags.to !== undefined)) fail('--from and --to go with a /data path');
    // The records alone: the runs compared are history, compared while the document does not check (mid-edit).
    const session = openRecords(file, flags, io.stderr);
    try {
      let old: Ancestry;
      let now: Ancestry;
      if (byPath) {
        const normal = normaliseDataPath(what);
        if (!normal.ok) fail(normal.ok ? '' : normal.message);
        const path = normal.ok ? normal.path.text : what;
        const picked = pickRuns(session.meta, session.pipelinePath, path, { ...(flags.from !== undefined ? { from: flags.from } : {}), ...(flags.to !== undefined ? { to: flags.to } : {}) });
        if (!picked.ok) {
          if (picked.reason === 'not-produced') {
            // A query that found nothing, as lineage says it (1; 2 is for invalid input).
            io.stderr(`shark: ${printableLines(picked.message)}\n`);
            throw new ExitError(EXIT_FAILED);
          }
          if (picked.reason !== 'same' || picked.now === undefined) return fail(picked.message);
          io.stdout(flags.json ? JSON.stringify(nothingToCompare(picked.now), null, 2) + '\n' : `${picked.message}: nothing to compare\n`);
          return;
        }
        ({ old, now } = picked);
      } else {
        const asked = [contentOf(session.meta, what, fail), contentOf(session.meta, other!, fail)] as const;
        const paired = ancestriesOfContents(session.meta, asked[0], asked[1]);
        if (!paired.ok) return fail(ambiguous(file, [what, other!], [paired.old, paired.now]));
        const missing = (text: string, id: string): never => fail(`${id === text ? text : `${text} (${id})`}: no job in this store produced it (see \`shark why\`)`);
        old = paired.old ?? missing(what, asked[0].id);
        now = paired.now ?? missing(other!, asked[1].id);
      }
      const axes = axesOf(session.pipelinePath);
      const answer = diffAnswer(old, now, diffAncestries(old, now), (run) => runSubset(session.meta, run, axes));
      io.stdout(flags.json ? JSON.stringify(answer, null, 2) + '\n' : renderDiff(answer));
      if (!answer.identical) throw new ExitError(EXIT_FAILED);
    } finally {
      closeSession(session);
    }
  });
}

/**
 * A content id as written, or a file or directory on disk hashed as the
 * store would. A directory no job wrote whole is looked into, as `why` does:
 * on disk, or for a tree id, in the store's records (gc keeps a freed tree's).
 */
function contentOf(meta: Metadata, text: string, fail: (m: string) => never): AskedContent {
  if (/^(sha256x?|tree):[0-9a-f]+$/.test(text)) {
    if (!/:[0-9a-f]{64}$/.test(text)) fail(`${text}: a content id has 64 hex digits after the colon (as \`shark why\` and \`shark lineage\` print it)`);
    // As recorded, also once gc freed the directory: its runs' lineage is kept, so is what it held.
    const recorded = (id: SnapshotId): readonly TreeEntry[] | undefined => recordedEntries(meta, id);
    const inStore: EntriesOf = (relative) => {
      const sub = descend(text, relative, recorded);
      return sub === undefined ? undefined : recorded(sub);
    };
    return { id: text, entries: recorded(text) ?? [], entriesOf: inStore };
  }
  const hashed = hashOnDisk(text);
  // `shark diff p.md 1 2`: run numbers are options.
  if (!hashed.ok) return fail(hashed.reason === 'missing' && /^[0-9]+$/.test(text) ? `${hashed.message} (to compare runs, name a /data path and the runs: \`--from ${text}\`, \`--to N\`)` : hashed.message);
  const { id, entries } = namedContent(meta, text, hashed);
  return { id, entries: entries ?? [], entriesOf: (relative) => subdirectoryOnDisk(text, relative) };
}

/** Which jobs to compare is open: the places each result was made at, and what to ask instead. */
function ambiguous(file: string, texts: readonly [string, string], places: readonly [readonly Place[], readonly Place[]]): string {
  const MAX = 5;
  const at = (p: Place): string => {
    const runs = [...new Set(p.makings.map((m) => m.record.runId))];
    return `${p.path} (${p.makings.at(-1)?.job ?? ''}, run${runs.length > 1 ? 's' : ''} ${runs.join(', ')})`;
  };
  const side = (list: readonly Place[]): string => {
    const shown = list.slice(0, MAX).map(at);
    const more = list.length > MAX ? ` and ${list.length - MAX} more` : '';
    return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')}${more === '' ? ' and ' : ', '}${shown.at(-1)!}${more}`;
  };
  return `which jobs to compare is ambiguous: the bytes of ${texts[0]} were made as ${side(places[0])}, those of ${texts[1]} as ${side(places[1])}; ` +
    `compare one path across runs instead: \`shark diff ${file} /data/PATH --from RUN --to RUN\``;
}

/** The document's axes as it is now (read whole, whether it checks or not), to tell a subset run from one that left nothing out. */
function axesOf(path: string): Frontmatter['axes'] | undefined {
  try {
    return parseMarkdown(path, readFileSync(path, 'utf8')).document.frontmatter?.axes;
  } catch {
    return undefined;
  }
}
