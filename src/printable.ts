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

/**
 * Terminal escape sequences: CSI (`ESC[91m`, `ESC[2J`), OSC (`ESC]0;title BEL`)
 * and the two-character ones. Docker's classic builder colours what a RUN
 * writes to stderr, and programs colour their output at a terminal.
 */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?/g;
/** Select Graphic Rendition: colours and bold, harmless at a terminal. */
const SGR = /^\x1b\[[0-9;:]*m$/;

/**
 * Text from steps and builds (a failed build's last lines, a job's log
 * tail) as shown to the user: without escape sequences, which in a pipe or a
 * JSON event are only noise; at a terminal (`colours`) its colours are kept,
 * and nothing else that could move the cursor, clear the screen or retitle
 * the window.
 */
export function withoutEscapes(text: string, colours = false): string {
  if (!text.includes('\x1b')) return text;
  return text.replace(ESCAPES, (seq) => (colours && SGR.test(seq) ? seq : ''));
}
