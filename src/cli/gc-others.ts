import { existsSync } from 'node:fs';
import { typedWord } from '../pipeline/shell-words.js';
import type { Metadata } from '../store/metadata.js';
import { displayName } from './load-or-report.js';

/**
 * The documents with runs in the store that were not given (their results
 * are not kept: gc keeps only what the pipelines given reuse), said in one
 * sentence, with the command that keeps them too; undefined when there are none.
 */
export function otherDocuments(meta: Metadata, given: readonly string[], options: readonly string[]): string | undefined {
  const mine = new Set(given.flatMap((path) => meta.runTable.of(path).map((r) => r.id)));
  // Where each document is now (a project copied with its store: the copy's), as `runs` of it finds its runs; by its
  // place alone unless the store was named: a document away from the store is collected in the one beside it.
  const counts = new Map<string, number>();
  for (const r of meta.runTable.placed(options.length === 0)) if (!mine.has(r.id)) counts.set(r.document, (counts.get(r.document) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  const others = [...counts.keys()].sort();
  const runs = (n: number): string => `${n} run${n === 1 ? '' : 's'}`;
  const there = others.filter((d) => existsSync(d));
  const named = others.map((d) => `${displayName(d)} (${there.includes(d) ? '' : 'no longer there; '}${runs(counts.get(d)!)})`);
  // The same store: without the --store or --config typed, the command would collect the one beside each document.
  const command = ['shark gc', ...[...given, ...there].map((d) => typedWord(displayName(d))), ...options].join(' ');
  const keepToo = there.length === 0 ? '' : ` Give them too to keep theirs: ${command}`;
  return `not kept: the results of ${named.join(', ')}.${keepToo}`;
}

/** The options that chose the store, as typed, for the command that keeps other documents too. */
export function storeOptions(flags: { readonly store?: string; readonly config?: string }): string[] {
  return [...(flags.store === undefined ? [] : ['--store', typedWord(flags.store)]), ...(flags.config === undefined ? [] : ['--config', typedWord(flags.config)])];
}
