import type { Position } from '../diagnostics.js';

export type BlockKind = 'build' | 'run' | 'import' | 'publish';

/** One line of a code block's body, with where it sits in the document. */
export interface SourceLine {
  readonly text: string;
  readonly line: number;
  /** Column of the first character of `text` in the document line. */
  readonly col: number;
  /**
   * Set when `text` is not the document's text (after `%{NAME}` substitution): the column of
   * each character, and one past the end. Read columns through `colOf`.
   */
  readonly cols?: readonly number[];
}

/** The document column of the character at `offset` in a body line's text. */
export function colOf(line: SourceLine, offset: number): number {
  return line.cols?.[offset] ?? line.col + offset;
}

export type BlockOptions = Readonly<Record<string, string | true>>;

/** A fenced code block whose info string starts with a Shark tag. */
export interface SharkBlock {
  /** Position among Shark blocks, in document order (0-based). */
  readonly index: number;
  readonly kind: BlockKind;
  /** ENV for build/run blocks, DIR for publish blocks. */
  readonly arg: string | undefined;
  readonly options: BlockOptions;
  /** The info string as written. */
  readonly info: string;
  /** The opening fence. */
  readonly at: Position;
  /** The first character of the info string (the `s` of `shark-`): diagnostics about the tag point here. */
  readonly infoAt: Position;
  readonly body: readonly SourceLine[];
  /** The line of the closing fence: what the executed document writes after the block goes after it. */
  readonly closeLine: number;
  /** Text of the nearest heading above the block ('' before any heading). */
  readonly section: string;
  /** Set on the instances of a block that mentions axes: which block, and the value of each axis. */
  readonly instance?: BlockInstance;
}

export interface BlockInstance {
  /** `index` of the block as written. */
  readonly of: number;
  /** The values of the axes it mentions, in frontmatter order. */
  readonly axes: readonly (readonly [string, string])[];
}

export interface Frontmatter {
  readonly at: Position;
  /** Line of the first YAML line (the one after `---`). */
  readonly firstLine: number;
  /** `optional: true` (`name: {path: /data/x, optional: true}`): it may be left unbound, and then does not exist. */
  readonly inputs: ReadonlyMap<string, { readonly path: string; readonly at: Position; readonly optional?: true }>;
  /** Default working directory for container steps. */
  readonly path: string | undefined;
  /** Other scalar keys: exported to every step's environment. */
  readonly variables: ReadonlyMap<string, string>;
  /** List-valued keys, in frontmatter order: a block mentioning `%{NAME}` has one instance per value. */
  readonly axes: ReadonlyMap<string, Axis>;
  /** `secrets: [NAME, …]`: variables passed to every step from Shark's environment, their values kept out of every record. */
  readonly secrets?: readonly { readonly name: string; readonly at: Position }[];
  /** `pools:`: how many jobs of each pool may run at once (`--pool` overrides). Absent when none. */
  readonly pools?: ReadonlyMap<string, { readonly size: number; readonly at: Position }>;
}

export interface Axis {
  readonly name: string;
  /** The key. */
  readonly at: Position;
  readonly values: readonly { readonly value: string; readonly at: Position }[];
}

export interface Document {
  readonly file: string;
  readonly source: string;
  readonly frontmatter: Frontmatter | undefined;
  readonly blocks: readonly SharkBlock[];
  /** How many Shark blocks `{skip}` switched off (none: absent). */
  readonly switchedOff?: number;
}
