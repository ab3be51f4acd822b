import type { Position } from '../diagnostics.js';
import { colOf, type SourceLine } from '../markdown/document.js';
import { CommandBuffer } from './command-buffer.js';
import { continuesLine, heredocWord, inArithmetic } from './heredoc-word.js';
import { strayFence, unclosedBackquote } from './stray-fence.js';

/**
 * One logical shell command of a run block: prompts stripped, `\`-newline
 * continuations joined, comments removed, multi-line constructs (open quotes,
 * `if`/`for`/`while`/`case`, here-documents, trailing `|`/`&&`) kept together.
 * When a block writes its commands after `$ ` prompts, other lines are output.
 */
export interface CommandText {
  readonly text: string;
  /** Where each character of `text` came from in the document. */
  readonly lines: Int32Array;
  readonly cols: Int32Array;
  readonly at: Position;
}

export interface SplitProblem {
  readonly at: Position;
  readonly message: string;
}

const OPENERS = new Set(['if', 'for', 'while', 'until', 'case', '{']);
const CLOSERS = new Set(['fi', 'done', 'esac', '}']);
const OPENER_OF: Readonly<Record<string, string>> = { fi: 'if', done: 'for`, `while` or `until', esac: 'case', '}': '{' };
const CLOSER_OF: Readonly<Record<string, string>> = { if: 'fi', for: 'done', while: 'done', until: 'done', case: 'esac', '{': '}', '(': ')' };
/** Words after which the next word is again in command position. */
const RESETTERS = new Set(['then', 'do', 'else', 'elif', '{', '!', 'if', 'while', 'until', 'time']);

export function splitCommands(body: readonly SourceLine[]): { commands: CommandText[]; problems: SplitProblem[]; output: SourceLine[] } {
  const commands: CommandText[] = [];
  const problems: SplitProblem[] = [];
  /** A transcript's lines read as output, not run. */
  const output: SourceLine[] = [];
  const buffer = new CommandBuffer();
  const push = (ch: string, line: number, col: number): void => buffer.push(ch, line, col);
  let quote: '' | "'" | '"' = '';
  let quoteAt: Position | undefined;
  /** Where an open backquote substitution began, outside quotes or inside double quotes. */
  let backquoteAt: Position | undefined;
  /**
   * The constructs open at this point, innermost last: keywords, and `(` of a
   * subshell or `$(…)`. A `)` closes only a `(`: in a `case` it ends a pattern.
   */
  let open: string[] = [];
  let depthAt: Position | undefined;
  let heredocs: { delim: string; stripTabs: boolean; quoted: boolean; at: Position }[] = [];
  /** The here-document's last line ended in a continuing `\` (unquoted delimiter): this one is joined to it. */
  let heredocJoined = false;
  let inHeredoc = false;
  let word = '';
  let wordQuoted = false;
  let commandPosition = true;
  let joinNext = false;

  const opened = (what: string, at: Position): void => {
    if (open.length === 0) depthAt = at;
    open.push(what);
  };
  const endWord = (at: Position): void => {
    if (word !== '' && !wordQuoted) {
      if (commandPosition && OPENERS.has(word)) {
        // `at` is just past the word, and an opener is a plain word on one line.
        opened(word, { line: at.line, col: at.col - word.length });
      } else if (commandPosition && CLOSERS.has(word) && open.length > 0 && open[open.length - 1] !== '(') {
        open.pop();
      } else if (commandPosition && CLOSERS.has(word) && open.length === 0) {
        // sh: `Syntax error: "fi" unexpected`, when the block runs.
        // Where its first character came from: a `\` at a line's end may have joined it across lines.
        problems.push({ at: buffer.posFromEnd(word.length), message: `\`${word}\` closes nothing: no \`${OPENER_OF[word]}\` before it in this command (a syntax error when it runs)` });
      }
      commandPosition = RESETTERS.has(word) && commandPosition;
    } else if (word !== '') {
      commandPosition = false;
    }
    word = '';
    wordQuoted = false;
  };
  const emit = (): void => {
    const command = buffer.take(problems);
    if (command !== undefined) commands.push(command);
    open = [];
    commandPosition = true;
  };

  // A transcript starts with a prompt; a `$ ` further down may be inside a here-document.
  const transcript = /^\s*\$( |$)/.test(body.find((l) => l.text.trim() !== '' && !l.text.trim().startsWith('#'))?.text ?? '');
  for (const src of body) {
    let text = src.text;
    let offset = 0;
    if (inHeredoc) {
      const current = heredocs[0]!;
      const candidate = current.stripTabs ? text.replace(/^\t+/, '') : text;
      for (let i = 0; i < text.length; i++) push(text[i]!, src.line, colOf(src, i));
      push('\n', src.line, colOf(src, text.length));
      const joined = heredocJoined;
      heredocJoined = !current.quoted && continuesLine(text);
      if (!joined && candidate === current.delim) {
        heredocJoined = false;
        heredocs.shift();
        if (heredocs.length === 0) {
          inHeredoc = false;
          // The line the here-document began on has ended: what follows starts a command (`fi`, `done`, `}` are keywords there).
          commandPosition = true;
          if (open.length === 0 && !buffer.endsWithOperator()) emit();
        }
      }
      continue;
    }
    const lineStart = buffer.length;
    const joined = joinNext;
    const fresh = buffer.length === 0 && !joined;
    if (fresh) {
      const prompt = /^\s*\$ /.exec(text);
      if (prompt !== null) {
        offset = prompt[0].length;
        text = text.slice(offset);
      } else if (/^\s*\$$/.test(text) || transcript) {
        // In a transcript, a line with no prompt that continues no command is output, as the original Shark writes it.
        if (transcript && text.trim() !== '' && !/^\s*\$$/.test(text)) output.push(src);
        continue;
      }
    }
    // `~~~` in a `~~~~` block closes nothing, and sh would run it as a command (`~~~: not found`): as a ``` line is said.
    if (fresh && quote === '' && /^ {0,3}~{3,}\s*$/.test(text)) {
      problems.push(strayFence({ line: src.line, col: colOf(src, offset + text.indexOf('~')) }, text.trim()));
      continue;
    }
    if (joinNext && (quote === '"' || backquoteAt !== undefined)) {
      // As in sh, `\`-newline inside double quotes vanishes and the next line's indentation is part of the string.
      joinNext = false;
    } else if (joinNext) {
      // Outside quotes the indentation only separates words: one space stands for it, so keys ignore re-indenting.
      const lead = text.length - text.trimStart().length;
      offset += lead;
      text = text.slice(lead);
      const [l, c] = buffer.lastPos();
      if (buffer.length > 0 && !/\s/.test(buffer.last!) && lead > 0) push(' ', l, c);
      joinNext = false;
    }

    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      const col = colOf(src, offset + i);
      if (backquoteAt !== undefined) {
        // As sh reads it first: up to the next backquote not after a `\`, quotes and all.
        if (ch === '\\' && i === text.length - 1) {
          joinNext = true;
          i++;
          continue;
        }
        const n = ch === '\\' && i + 1 < text.length ? 2 : 1;
        for (let k = 0; k < n; k++) push(text[i + k]!, src.line, colOf(src, offset + i + k));
        if (quote === '') word += text.slice(i, i + n);
        if (ch === '`') backquoteAt = undefined;
        i += n;
        continue;
      }
      if (ch === '`' && quote !== "'") {
        backquoteAt = { line: src.line, col };
        if (quote === '') {
          wordQuoted = true;
          word += ch;
        }
        push(ch, src.line, col);
        i++;
        continue;
      }
      if (quote === "'") {
        push(ch, src.line, col);
        if (ch === "'") quote = '';
        i++;
        continue;
      }
      if (quote === '"') {
        if (ch === '\\' && i === text.length - 1) {
          joinNext = true;
          i++;
          continue;
        }
        push(ch, src.line, col);
        if (ch === '\\' && i + 1 < text.length) {
          push(text[i + 1]!, src.line, colOf(src, offset + i + 1));
          i += 2;
          continue;
        }
        if (ch === '"') quote = '';
        i++;
        continue;
      }
      if (ch === '\\') {
        if (i === text.length - 1) {
          joinNext = true;
          i++;
          continue;
        }
        push(ch, src.line, col);
        push(text[i + 1]!, src.line, colOf(src, offset + i + 1));
        word += text[i + 1]!;
        wordQuoted = true;
        i += 2;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        quoteAt = { line: src.line, col };
        wordQuoted = true;
        word += ch;
        push(ch, src.line, col);
        i++;
        continue;
      }
      const prev = buffer.last;
      // Blanks are space and tab, as sh has them: a no-break space (Option+Space) or U+3000 is part of a word.
      if (ch === '#' && word === '' && (prev === undefined || /[ \t\n;&|()]/.test(prev))) {
        break;
      }
      if (ch === ' ' || ch === '\t') {
        endWord({ line: src.line, col });
        push(ch, src.line, col);
        i++;
        continue;
      }
      if (ch === '<' && text[i + 1] === '<' && text[i + 2] !== '<' && text[i - 1] !== '<' && !inArithmetic(text.slice(0, i))) {
        endWord({ line: src.line, col });
        const m = heredocWord(text.slice(i));
        if (m !== undefined) {
          heredocs.push({ delim: m.delim, stripTabs: m.stripTabs, quoted: m.quoted, at: { line: src.line, col } });
          for (let k = 0; k < m.length; k++) push(text[i + k]!, src.line, colOf(src, offset + i + k));
          i += m.length;
          commandPosition = false;
          continue;
        }
      }
      if (/[;&|()]/.test(ch)) {
        endWord({ line: src.line, col });
        // `&& b`, `| b`, `; b` with no command before: sh refuses the whole block when it runs.
        if (/[;&|]/.test(ch) && open.length === 0 && buffer.blank()) {
          const op = /^(?:&&|\|\||;;|[;&|])/.exec(text.slice(i))![0];
          problems.push({ at: { line: src.line, col }, message: `\`${op}\` begins a command: it joins a command before it to one after, and there is none before it (a syntax error when it runs)` });
        } else if (ch === ';' && text[i + 1] === ';' && text[i - 1] !== ';' && !open.includes('case')) {
          problems.push({ at: { line: src.line, col }, message: '`;;` ends a branch of a `case`, and no `case` is open here (a syntax error when it runs): one `;` separates commands' });
        }
        if (ch === '(') opened('(', { line: src.line, col });
        else if (ch === ')' && open[open.length - 1] === '(') open.pop();
        push(ch, src.line, col);
        commandPosition = true;
        i++;
        continue;
      }
      word += ch;
      push(ch, src.line, col);
      i++;
    }
    if (joinNext) continue;
    endWord({ line: src.line, col: colOf(src, src.text.length) });
    const [l, c] = buffer.lastPos();
    if (quote !== '' || backquoteAt !== undefined) {
      push('\n', l, c);
      continue;
    }
    if (heredocs.length > 0) {
      inHeredoc = true;
      push('\n', l, c);
      continue;
    }
    // Spaces before a removed comment, and lines left empty by one, are not part of the command
    // (nor, on a continued line, the spaces before the `\`).
    buffer.trimEnd(joined ? 0 : lineStart);
    if (open.length > 0 || buffer.endsWithOperator()) {
      // A continued line left empty by a comment still ends with the newline that ends the command in sh.
      if (buffer.length > lineStart || joined) push('\n', l, c);
      commandPosition = true;
      continue;
    }
    emit();
  }
  if (backquoteAt !== undefined) {
    problems.push(unclosedBackquote(body, backquoteAt));
  } else if (quote !== '' && quoteAt !== undefined) {
    problems.push({ at: quoteAt, message: `unterminated ${quote === '"' ? 'double' : 'single'} quote` });
  } else if (inHeredoc) {
    problems.push({ at: heredocs[0]!.at, message: `here-document is never closed: no \`${heredocs[0]!.delim}\` line before the end of the block` });
  } else if (open.length > 0 && depthAt !== undefined) {
    const opener = open[0]!;
    problems.push({ at: depthAt, message: `\`${opener}\` is never closed: no \`${CLOSER_OF[opener] ?? 'fi'}\` before the end of the block` });
  } else if (joinNext) {
    const [l, c] = buffer.lastPos();
    problems.push({ at: { line: l, col: c + 1 }, message: 'line continuation `\\` at the end of the block' });
  } else if (buffer.endsWithOperator()) {
    const op = buffer.endingOperator()!;
    buffer.trimEnd(0);
    const [l, c] = buffer.lastPos();
    problems.push({ at: { line: l, col: c + 1 - op.length }, message: `the block ends after \`${op}\`, which carries the command on to a next line: there is none (a syntax error when it runs)` });
  }
  if (problems.length === 0) emit();
  return { commands, problems, output };
}
