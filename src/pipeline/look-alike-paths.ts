import { error, type Diagnostic, type Position } from '../diagnostics.js';
import { writerName, type Writer, type Writers } from './writers.js';

/**
 * Two spellings of one name: `café` typed with `é` as one character in one
 * block and as `e` and an accent in another (macOS, some editors and
 * pasted text write it so). They look the same and are the same text to
 * Unicode, but the file system keeps them apart: the reader would find
 * nothing, or write a second file. Each is said at the later spelling:
 * a read reported as of nothing is said again naming the writer, and a
 * second writer is an error.
 */
export function nameLookAlikes(file: string, diagnostics: Diagnostic[], writers: Writers): void {
  for (const u of writers.unwritten) {
    const first = writers.spellings.get(u.path.normalize('NFC'));
    if (first === undefined || first.path === u.path) continue;
    const k = diagnostics.findIndex((d) => d.severity === 'error' && d.at.line === u.at.line && d.at.col === u.at.col && d.message === u.message);
    if (k < 0) continue;
    diagnostics[k] = said(file, u.path, u.at, first);
  }
  for (const { path, writer, first } of writers.lookAlikes) {
    diagnostics.push(said(file, path, writer.at, first));
  }
}

function said(file: string, path: string, at: Position, first: { path: string; writer: Writer }): Diagnostic {
  const { who } = writerName(first.writer);
  return error(file, at, `\`${path}\` is not \`${first.path}\`, which ${who} writes (line ${first.writer.at.line}): they differ only in how an accented letter `
    + `is encoded (${form(path)} here, ${form(first.path)} there), which the file system tells apart; type the name the same way in both`,
  [{ at: first.writer.at, message: `${who} writes \`${first.path}\` here` }]);
}

/** How a name's accented letters are written: composed (`é`, one character) or decomposed (`e` and U+0301). */
function form(path: string): string {
  if (path === path.normalize('NFC')) return 'composed, one character each';
  if (path === path.normalize('NFD')) return 'decomposed, a letter and its accent apart';
  return 'composed and decomposed mixed';
}
