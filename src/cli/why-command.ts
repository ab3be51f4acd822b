import { Command } from 'commander';
import { join } from 'node:path';
import { hashOnDisk, namedContent, renderWhy, subdirectoryOnDisk, whyContent, type WhyAnswer } from '../lineage/why.js';
import { treeWithoutStores, withoutStores } from '../lineage/store-left-out.js';
import { openStore, storeMade, type OpenedStore } from '../store/open-store.js';
import type { TreeEntry } from '../store/snapshot-store.js';
import { locateStore } from './find-store.js';
import { displayName, EXIT_FAILED, EXIT_INVALID, ExitError, openFailureCode } from './load-or-report.js';
import type { Io } from './main.js';
import { naturalNumber } from './numbers.js';
import { typedWord } from '../pipeline/shell-words.js';

export function whyCommand(io: Io): Command {
  return new Command('why')
    .description('find the jobs that produced these files (by their bytes) and show how they were made')
    .argument('<path...>', 'files or directories on disk: in _shark/, or sent by someone')
    .option('--store <store>', 'the store to search (default: $SHARK_STORE, else .shark/ here or in a directory above, else beside the files)')
    .option('--depth <n>', 'follow producers at most N levels in each lineage', naturalNumber('--depth'))
    .option('--json', 'print the answers as JSON')
    .action((paths: string[], flags: { store?: string; depth?: number; json?: boolean }) => {
      const hashed = [];
      const bad: string[] = [];
      const document = paths.find((p) => p.endsWith('.md')) ?? 'FILE.md';
      for (const path of paths) {
        const outcome = hashOnDisk(path);
        if (outcome.ok) hashed.push({ path, ...outcome });
        // `why p.md /data/x`, written as lineage is: the /data path is the document's, not a file here. Quoted, to paste.
        else if (outcome.reason === 'missing' && (path === '/data' || path.startsWith('/data/'))) {
          bad.push(`${outcome.message} (\`why\` reads files on disk, as published in _shark/; what a document wrote at a /data path: \`shark lineage ${typedWord(document)} ${typedWord(path)}\`)`);
        } else bad.push(outcome.message);
      }
      if (bad.length > 0) {
        for (const m of bad) io.stderr(`shark: error: ${m}\n`);
        throw new ExitError(EXIT_INVALID);
      }
      const { opened, where } = open(flags.store, paths, io);
      try {
        const answers: WhyAnswer[] = hashed.map((h) => {
          const { id, entries } = namedContent(opened.meta, h.path, treeWithoutStores(where, h.path, h));
          const entriesOf = (rel: string): readonly TreeEntry[] | undefined => {
            const inner = subdirectoryOnDisk(h.path, rel);
            return inner === undefined ? undefined : withoutStores(where, join(h.path, rel), inner);
          };
          return whyContent(opened.meta, h.path, id, flags.depth, entries, entriesOf);
        });
        if (flags.json) io.stdout(JSON.stringify({ store: where, files: answers }, null, 2) + '\n');
        else {
          const describe = (id: string): string => {
            const name = opened.store.describe(id);
            return name === undefined ? id : `${name} (${id})`;
          };
          io.stdout(renderWhy(answers, { file: displayName, describe, store: displayName(where), ...(flags.depth !== undefined ? { depth: flags.depth } : {}) }));
        }
        // The answer to "did Shark make this?" is no for at least one file (or a file in a directory).
        if (answers.some((a) => a.produced.length === 0 || (a.notProduced ?? []).length > 0)) throw new ExitError(EXIT_FAILED);
      } finally {
        opened.store.close();
        opened.meta.close();
      }
    });
}

function open(flag: string | undefined, paths: readonly string[], io: Io): { opened: OpenedStore; where: string } {
  const found = locateStore(flag, paths);
  if (!found.ok) {
    io.stderr(`shark: error: no Shark store found (looked for ${found.looked.map(displayName).join(', ')}): give --store DIR or set $SHARK_STORE\n`);
    throw new ExitError(EXIT_INVALID);
  }
  if (!storeMade(found.spec, '.')) {
    io.stderr(`shark: error: no Shark store at ${found.spec} (from ${found.how})\n`);
    throw new ExitError(EXIT_INVALID);
  }
  const opened = openStore(found.spec, '.');
  if (!opened.ok) {
    io.stderr(`shark: error: ${opened.message}\n`);
    throw new ExitError(openFailureCode(opened));
  }
  return { opened: opened.value, where: found.spec };
}
