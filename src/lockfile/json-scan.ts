/**
 * Checks JSON text (RFC 8259) and records where each value starts, so that a
 * syntax error and a value of the wrong shape can both be reported at their
 * line and column. `JSON.parse` builds the value; its own messages give a
 * position only for some errors, and none for values it accepts.
 */
export type Scan =
  | { readonly ok: true; readonly at: Offsets }
  | { readonly ok: false; readonly offset: number; readonly message: string };

/** Offsets of values and of object keys, by path (`JSON.stringify` of the path's segments). */
export interface Offsets {
  readonly values: ReadonlyMap<string, number>;
  readonly keys: ReadonlyMap<string, number>;
}

export function pathKey(path: readonly (string | number)[]): string {
  return JSON.stringify(path);
}

/** 1-based line and column of a UTF-16 offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, col: offset - lastNewline };
}

// Lock files nest four levels; a bound keeps a hostile file from exhausting the stack.
const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

class Failure {
  constructor(readonly offset: number, readonly message: string) {}
}

export function scanJson(text: string): Scan {
  const values = new Map<string, number>();
  const keys = new Map<string, number>();
  let i = 0;
  const fail = (message: string, at = i): never => {
    // At the end of the file, point just after its last character rather than at an empty last line.
    throw new Failure(at >= text.length ? text.trimEnd().length : at, message);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const describe = (): string => (i >= text.length ? 'the end of the file' : `\`${text[i]}\``);

  const string = (): void => {
    const start = i++;
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail(c === 0x0a ? 'unterminated string (a newline in a string must be written \\n)' : 'control character in a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape: expected four hex digits');
          i += 6;
          continue;
        }
        if (e === undefined || !ESCAPES.has(e)) fail(`invalid escape \`\\${e ?? ''}\` in a string`);
        i += 2;
        continue;
      }
      i++;
    }
    i++;
  };

  const value = (path: (string | number)[], depth: number): void => {
    space();
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    values.set(pathKey(path), i);
    const c = text[i];
    if (c === '{') return object(path, depth);
    if (c === '[') return array(path, depth);
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) fail(`expected a value, found ${describe()}`);
    i += m![0].length;
  };

  const object = (path: (string | number)[], depth: number): void => {
    i++;
    space();
    if (text[i] === '}') {
      i++;
      return;
    }
    const seen = new Set<string>();
    for (;;) {
      space();
      if (text[i] !== '"') fail(`expected a double-quoted property name, found ${describe()}`);
      const keyAt = i;
      string();
      const name = JSON.parse(text.slice(keyAt, i)) as string;
      // JSON.parse keeps the last of two: which one was meant (a merge of two lock files?) is the user's to say.
      if (seen.has(name)) fail(`${JSON.stringify(name)} is given twice in one object`, keyAt);
      seen.add(name);
      keys.set(pathKey([...path, name]), keyAt);
      space();
      if (text[i] !== ':') fail(`expected \`:\` after property name, found ${describe()}`);
      i++;
      value([...path, name], depth + 1);
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`expected \`,\` or \`}\` after a property, found ${describe()}`);
    }
  };

  const array = (path: (string | number)[], depth: number): void => {
    i++;
    space();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (let n = 0; ; n++) {
      value([...path, n], depth + 1);
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected \`,\` or \`]\` after an array element, found ${describe()}`);
    }
  };

  try {
    value([], 0);
    space();
    if (i < text.length) fail(`unexpected ${describe()} after the JSON value`);
    return { ok: true, at: { values, keys } };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, offset: e.offset, message: e.message };
    throw e;
  }
}
