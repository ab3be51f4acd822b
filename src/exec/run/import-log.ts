import { writeFileSync } from 'node:fs';
import type { Pin } from '../../imports/importer.js';
import type { ImportClause } from '../../pipeline/import-clause.js';
import { shownUrls } from '../../imports/shown-url.js';
import { maskText } from '../secret-mask.js';

/**
 * The log of an import job: it runs no command whose output could fill it,
 * yet the run prints its path under a failure and `shark logs` reads it, so
 * it says what was fetched (the clause, the pin it was fetched by) and how
 * that ended: the pin recorded, or the error. Written whole once the fetch is
 * over; masked as a command's output is, since a URL or an error may quote a
 * secret's value, and its URLs are shown without their passwords and tokens.
 */
export function writeImportLog(
  path: string, clause: ImportClause, pinned: Pin | undefined,
  outcome: { readonly ok: true; readonly pin: Pin } | { readonly ok: false; readonly message: string },
  secrets: readonly string[],
): void {
  const lines = [
    `import ${clause.raw} → ${clause.dest}`,
    ...(pinned === undefined || Object.keys(pinned).length === 0 ? [] : [`to fetch: ${pinLine(pinned)}`]),
    outcome.ok ? `fetched: ${pinLine(outcome.pin)}` : `error: ${outcome.message}`,
  ];
  try {
    writeFileSync(path, shownUrls(maskText(lines.join('\n') + '\n', secrets)));
  } catch {
    // The log is an account, not the result: a disk refusing it changes nothing the run reports.
  }
}

const pinLine = (pin: Pin): string => Object.entries(pin).map(([k, v]) => `${k}=${v}`).join(' ');
