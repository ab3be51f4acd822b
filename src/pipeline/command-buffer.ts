import type { Position } from '../diagnostics.js';
import type { CommandText, SplitProblem } from './shell-lines.js';

/** Why a command ending in `&` is refused. */
const BACKGROUND = '`&` runs this command in the background: its step would end at once, its /data outputs stored before the command wrote them (each command is a step of its own); run it in the foreground, or start commands and wait for them on one line (`a & b & wait`)';

/** The deepest nesting of parentheses (subshells, `$(…)`, `$((…))`) Shark reads in a command. */
export const MAX_PARENTHESES = 100;
const TOO_DEEP = `parentheses nested deeper than ${MAX_PARENTHESES} levels (subshells, \`$(…)\`): Shark does not read commands nested this deeply`;

/** The offset of the `(` that takes `chars[start, end)` past MAX_PARENTHESES, counting every one, quoted or not (an overestimate). */
function tooDeepAt(chars: readonly string[], start: number, end: number): number | undefined {
  let depth = 0;
  for (let i = start; i < end; i++) {
    if (chars[i] === '(' && ++depth > MAX_PARENTHESES) return i;
    if (chars[i] === ')' && depth > 0) depth--;
  }
  return undefined;
}

/**
 * The text of the command being read (`splitCommands`), each character with
 * the line and column of the document it came from, made into a
 * `CommandText` once the command ends.
 */
export class CommandBuffer {
  private chars: string[] = [];
  private lines: number[] = [];
  private cols: number[] = [];

  get length(): number {
    return this.chars.length;
  }

  /** The last character read, if any. */
  get last(): string | undefined {
    return this.chars[this.chars.length - 1];
  }

  push(ch: string, line: number, col: number): void {
    this.chars.push(ch);
    this.lines.push(line);
    this.cols.push(col);
  }

  /** Whether nothing but blanks was read (the command has not begun). */
  blank(): boolean {
    for (let i = this.chars.length - 1; i >= 0; i--) if (!/\s/.test(this.chars[i]!)) return false;
    return true;
  }

  /** Where the character `n` from the end came from (1: the last). */
  posFromEnd(n: number): Position {
    const at = Math.max(0, this.chars.length - n);
    return { line: this.lines[at] ?? 0, col: this.cols[at] ?? 0 };
  }

  /** Where the last character came from ([0, 0] before any). */
  lastPos(): [number, number] {
    return [this.lines[this.lines.length - 1] ?? 0, this.cols[this.cols.length - 1] ?? 0];
  }

  /** Drops blanks at the end down to `keep` characters, not one escaped by a `\`. */
  trimEnd(keep: number): void {
    while (this.chars.length > keep && /\s/.test(this.chars[this.chars.length - 1]!) && this.chars[this.chars.length - 2] !== '\\') {
      this.chars.pop();
      this.lines.pop();
      this.cols.pop();
    }
  }

  /** Whether the command so far ends with `|` or `&&`: it goes on on the next line. */
  endsWithOperator(): boolean {
    return this.endingOperator() !== undefined;
  }

  /** The operator the command so far ends with (`|`, `||` or `&&`), blanks after it aside. */
  endingOperator(): '|' | '||' | '&&' | undefined {
    let end = this.chars.length;
    while (end > 0 && /\s/.test(this.chars[end - 1]!)) end--;
    const last = this.chars[end - 1];
    if (last === '|') return this.chars[end - 2] === '|' ? '||' : '|';
    return last === '&' && this.chars[end - 2] === '&' ? '&&' : undefined;
  }

  /** The command read, without the blanks around it (none when it is only blanks); empties the buffer. */
  take(problems: SplitProblem[]): CommandText | undefined {
    const { chars, lines, cols } = this;
    let end = chars.length;
    while (end > 0 && /\s/.test(chars[end - 1]!) && chars[end - 2] !== '\\') end--;
    let start = 0;
    while (start < end && /\s/.test(chars[start]!)) start++;
    // A command sent to the background ends its step at once: what it writes of /data comes after its outputs were
    // stored, and what it reads is taken away. One that names no /data path (a helper left running) is sh's business.
    if (end > start && chars[end - 1] === '&' && !/[&\\>]/.test(chars[end - 2] ?? '') && chars.slice(start, end).join('').includes('/data')) {
      problems.push({ at: { line: lines[end - 1]!, col: cols[end - 1]! }, message: BACKGROUND });
    }
    const deep = tooDeepAt(chars, start, end);
    if (deep !== undefined) {
      // Not read further: the readers of a command's words recurse into its substitutions.
      problems.push({ at: { line: lines[deep]!, col: cols[deep]! }, message: TOO_DEEP });
      end = start;
    }
    const taken = end > start ? {
      text: chars.slice(start, end).join(''),
      lines: Int32Array.from(lines.slice(start, end)),
      cols: Int32Array.from(cols.slice(start, end)),
      at: { line: lines[start]!, col: cols[start]! } satisfies Position,
    } : undefined;
    this.chars = [];
    this.lines = [];
    this.cols = [];
    return taken;
  }
}
