import type { Position } from '../diagnostics.js';
import { colOf, type SourceLine } from '../markdown/document.js';
import { words } from './dockerfile-args.js';

/** One Dockerfile instruction, its continuation lines joined as Docker reads them. */
export interface Instruction {
  /** Where its first word is written. */
  readonly at: Position;
  readonly text: string;
  /** Where the character at `offset` of `text` is written in the document. */
  readonly placeOf: (offset: number) => Position;
}

/**
 * The Dockerfile's instructions, each with its continuation lines joined (as
 * Docker reads them: comment lines inside one are left out) and the place of
 * each of its characters, so that a problem with one word is shown at it.
 */
export function instructions(body: readonly SourceLine[]): Instruction[] {
  const out: Instruction[] = [];
  const { escape } = parserDirectives(body.map((l) => l.text));
  let open: Joined | undefined;
  for (const line of body) {
    const text = line.text.trim();
    if (open === undefined && (text === '' || text.startsWith('#'))) continue;
    if (open !== undefined && text.startsWith('#')) continue;
    const continues = text.endsWith(escape);
    const part = continues ? text.slice(0, -1).trimEnd() : text;
    const lead = line.text.length - line.text.trimStart().length;
    if (open === undefined) {
      const joined: Joined = { at: { line: line.line, col: colOf(line, lead) }, text: part, parts: [{ start: 0, line, lead }], placeOf: (offset) => placeIn(joined, offset) };
      open = joined;
      out.push(joined);
    } else if (part !== '') {
      open.parts.push({ start: open.text.length + 1, line, lead });
      open.text += ` ${part}`;
    }
    if (!continues) open = undefined;
  }
  return out;
}

/**
 * The parser directives at the very top of a Dockerfile (comments of the
 * form `# NAME=VALUE`, before any blank line, other comment or
 * instruction): how many lines they take, and the line-continuation
 * character, `\\` or what a `# escape=`` ` directive names (Windows
 * Dockerfiles). The builder reads them so; so do the parse and the hash.
 */
export function parserDirectives(lines: readonly string[]): { readonly count: number; readonly escape: string } {
  let escape: string | undefined;
  let count = 0;
  for (const line of lines) {
    const directive = /^#\s*([a-z]+)\s*=\s*(.*?)\s*$/i.exec(line.trim());
    if (directive === null) break;
    count++;
    if (escape === undefined && directive[1]!.toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) escape = directive[2];
  }
  return { count, escape: escape ?? '\\' };
}

/** An instruction being joined: where each part starts in `text`, and in which line (past `lead` blanks). */
interface Joined {
  readonly at: Position;
  text: string;
  readonly parts: { readonly start: number; readonly line: SourceLine; readonly lead: number }[];
  readonly placeOf: (offset: number) => Position;
}

function placeIn(joined: Joined, offset: number): Position {
  let part = joined.parts[0]!;
  for (const p of joined.parts) if (p.start <= offset) part = p;
  return { line: part.line.line, col: colOf(part.line, part.lead + offset - part.start) };
}

/** The JSON form of COPY and ADD, `["a b", "dest"]`, or undefined when it is not written so. */
export function execForm(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What an instruction written without its argument needs, for those the
 * engine refuses so (`ENV requires at least one argument`): found when the
 * document is checked, at the instruction, rather than as a failed build
 * naming a line of the generated Dockerfile. `RUN` alone runs an empty
 * `sh -c`, which fails; `CMD` and `ENTRYPOINT` alone are allowed.
 */
const NEEDS: Readonly<Record<string, string>> = {
  RUN: 'a command', ENV: 'NAME=VALUE', ARG: 'a name', LABEL: 'KEY=VALUE', WORKDIR: 'a directory', USER: 'a user',
  EXPOSE: 'a port', VOLUME: 'a path', STOPSIGNAL: 'a signal', MAINTAINER: 'a name', ONBUILD: 'an instruction',
  SHELL: 'the shell as a JSON list (SHELL ["/bin/sh", "-c"])', HEALTHCHECK: 'CMD COMMAND or NONE',
};

/** The problem with an instruction's arguments that the engine would refuse it for, if any (FROM, COPY and ADD are checked apart). */
export function argumentProblem(instruction: string, rest: string): string | undefined {
  const needs = NEEDS[instruction];
  if (needs === undefined) return undefined;
  if (rest.trim() === '') return `${instruction} needs ${needs}`;
  if (instruction === 'SHELL' && execForm(rest.trim()) === undefined) return `SHELL takes ${needs}`;
  if (instruction === 'ENV' || instruction === 'LABEL') return pairsProblem(instruction, words(rest));
  return undefined;
}

/** `ENV A=1 B=2`, or the older `ENV A 1` (one name, the rest its value), as Docker parses them. */
function pairsProblem(instruction: string, pairs: readonly string[]): string | undefined {
  const first = pairs[0] ?? '';
  if (!first.includes('=')) return pairs.length < 2 ? `${instruction} ${first} needs a value: write ${instruction} ${first}=VALUE` : undefined;
  const bad = pairs.find((p) => !p.includes('=') || p.startsWith('='));
  if (bad === undefined) return undefined;
  return bad.startsWith('=') ? `${instruction} ${bad}: the name before \`=\` is empty` : `${instruction} ${bad}: write ${bad}=VALUE (every word after ${instruction} is NAME=VALUE once the first is)`;
}
