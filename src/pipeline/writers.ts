import type { Position } from '../diagnostics.js';
import { parentOf } from './data-path.js';
import { PathMap } from './path-map.js';

export interface Writer {
  readonly step: string;
  readonly at: Position;
  /** The step writes the path only because it names it first (rule 1), by no redirection or copy: perhaps a reader too early. */
  readonly named?: true;
  /** The program whose argument named it, when `named` (`mkdir`). */
  readonly program?: string;
  /** Written by an output redirection (`> /data/d`): a file, never a directory others write into. */
  readonly file?: true;
}

/**
 * Who provides a path. `exact`: a step wrote the path itself; `under`: it is
 * inside a directory a step wrote (`path` is that directory); `contains`: it
 * is a directory only written into (`path` is the first path written inside).
 * `writers` also lists every step that wrote inside the path: a reader of a
 * directory sees the union of what its writers put there.
 */
export type Resolved =
  | { kind: 'exact'; writers: Writer[] }
  | { kind: 'under' | 'contains'; writers: Writer[]; path: string }
  | { kind: 'none' };

/** A path a step reads, reported as written by nothing above it: `shown` as the message shows it. */
export interface Unwritten {
  readonly step: string;
  readonly path: string;
  readonly shown: string;
  readonly at: Position;
  readonly message: string;
}

export type Fail = (at: Position, message: string, related?: { at: Position; message: string }[]) => void;

/**
 * The writers of /data paths, in document order. A path has one writer, but
 * a directory may have several: the step that wrote it, and steps that wrote
 * new files inside it. Because a writer always comes before its readers in
 * the document, the graph this builds cannot have a cycle.
 */
export class Writers {
  private readonly byPath = new PathMap<Writer>();
  /** A frontmatter input could not be read: a path that nothing writes may be that input, already reported. */
  incomplete = false;
  /** Reads reported as of a path nothing wrote yet: a step below may write it (written-below.ts). */
  readonly unwritten: Unwritten[] = [];
  /** By a path's NFC form, its first spelling written: `café` typed composed in one block and decomposed in another (look-alike-paths.ts). */
  readonly spellings = new Map<string, { path: string; writer: Writer }>();
  /** Paths written that another written path spells otherwise, as the same text in Unicode. */
  readonly lookAlikes: { path: string; writer: Writer; first: { path: string; writer: Writer } }[] = [];

  resolve(path: string): Resolved {
    const under = [...this.byPath.under(path)];
    const inside = under.map(([, w]) => w);
    const exact = this.byPath.get(path);
    if (exact !== undefined) return { kind: 'exact', writers: [exact, ...inside] };
    // The nearest directory above decides; what others wrote next to the path is not part of it.
    for (let dir = parentOf(path); dir.length > '/data'.length; dir = parentOf(dir)) {
      const w = this.byPath.get(dir);
      if (w !== undefined) return { kind: 'under', writers: [w, ...inside], path: dir };
    }
    return under.length > 0 ? { kind: 'contains', writers: inside, path: under[0]![0] } : { kind: 'none' };
  }

  /** The writer of exactly this path, if any. */
  of(path: string): Writer | undefined {
    return this.byPath.get(path);
  }

  add(path: string, writer: Writer): void {
    this.byPath.set(path, writer);
    const key = path.normalize('NFC');
    const first = this.spellings.get(key);
    if (first === undefined) this.spellings.set(key, { path, writer });
    else if (first.path !== path) this.lookAlikes.push({ path, writer, first });
  }
}

/** A writer as messages name it: a step, or a frontmatter input (`input` its name). */
export function writerName(w: Writer): { who: string; input: string | undefined } {
  const input = w.step.startsWith('input:') ? w.step.slice('input:'.length) : undefined;
  return { who: input !== undefined ? `frontmatter input \`${input}\`` : `step \`${w.step}\``, input };
}

/**
 * Registers `path` as written by `writer`. A second writer of the same path
 * is an error naming both; so is writing a frontmatter input or into one.
 * Writing new files into a directory other steps write is allowed: readers
 * of the directory see the union, and a name both provide fails when it is
 * read.
 */
export function claim(writers: Writers, path: string, writer: Writer, fail: Fail): boolean {
  const r = writers.resolve(path);
  if (r.kind === 'none') {
    writers.add(path, writer);
    return true;
  }
  const exact = writers.of(path);
  if (exact?.step === writer.step) return true;
  const clash = fileDirectoryClash(path, writer, r);
  if (clash !== undefined) {
    fail(writer.at, clash.message, [clash.related]);
    return false;
  }
  const input = r.writers.find((w) => w.step.startsWith('input:'));
  if (exact === undefined && input === undefined) {
    writers.add(path, writer);
    return true;
  }
  const first = exact ?? input!;
  const { who, input: inputName } = writerName(first);
  const me = `step \`${writer.step}\``;
  const message =
    exact === undefined && r.kind === 'under'
      ? `\`${path}\` is inside \`${r.path}/\`, which ${who} provides; ${me} cannot also write into it (inputs are read-only)`
      : exact === undefined
        ? `\`${path}/\` contains ${who}; ${me} cannot also write it (inputs are read-only)`
        : inputName !== undefined
          ? `\`${path}\` is ${who}; ${me} cannot also write it (each path has one writer)`
          : `\`${path}\` is written by two steps: \`${first.step}\` and \`${writer.step}\` (each path has one writer)${first.named === true && writer.named !== true
            ? first.program === 'mkdir'
              // The habit of other tools (a Makefile's, a Snakefile's shell): the directory made before a line writes into it.
              ? `; \`${first.step}\` only makes it (\`mkdir\`): join the two lines into one command with \`&&\` (\`mkdir -p DIR && …\`), which runs by hand as well, or drop that \`mkdir\`, which Shark does itself for every path a step writes`
              : `; \`${first.step}\` only names it, before \`${writer.step}\` writes it (a path's first mention writes it): if it reads it, move it after \`${writer.step}\``
            : ''}`;
  const note = inputName !== undefined ? `${who} is declared here` : `${who} writes \`${path}\` here`;
  fail(writer.at, message, [{ at: first.at, message: note }]);
  return false;
}

/**
 * A path one step writes as a file (`> /data/d`) and another as a directory
 * (`> /data/d/a.txt`): the second fails as the document is run by hand
 * (`Not a directory`), and Shark kept both, which no reader can put together.
 */
function fileDirectoryClash(path: string, writer: Writer, r: Resolved): { message: string; related: { at: Position; message: string } } | undefined {
  if (r.kind === 'under') {
    const dir = r.writers[0]!;
    if (dir.file !== true || dir.step === writer.step) return undefined;
    return {
      message: `\`${path}\` is inside \`${r.path}\`, which step \`${dir.step}\` writes as a file: a path is a file or a directory, not both (run by hand, this fails with \`Not a directory\`)`,
      related: { at: dir.at, message: `step \`${dir.step}\` writes the file \`${r.path}\` here` },
    };
  }
  if (r.kind === 'contains' && writer.file === true) {
    const inside = r.writers.find((w) => w.step !== writer.step);
    if (inside === undefined) return undefined;
    return {
      message: `step \`${writer.step}\` writes \`${path}\` as a file, but step \`${inside.step}\` writes \`${r.path}\` inside it: a path is a file or a directory, not both`,
      related: { at: inside.at, message: `step \`${inside.step}\` writes \`${r.path}\` here` },
    };
  }
  return undefined;
}
