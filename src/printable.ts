/** Control characters: a name holding one would break the line it is shown on. */
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

/** Text shown on one line, its control characters escaped (`\n`, `\t`, `\x0d`). */
export function printable(text: string): string {
  return text.replace(CONTROLS, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/**
 * A file name or path as shown to a user: as it is, or JSON-quoted when it
 * holds a control character, so a newline in a name can never start a line
 * of its own and the quotes tell an escape from the name's own backslash.
 */
export function shownName(name: string): string {
  return CONTROL.test(name) ? JSON.stringify(name).replace(/\u007f/g, '\\u007f') : name;
}
