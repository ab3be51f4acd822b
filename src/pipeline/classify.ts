import type { Position } from '../diagnostics.js';
import { isUnder, overlongMessage } from './data-path.js';
import type { Mention } from './mentions.js';
import type { Input, Output } from './pipeline.js';
import { changedInPlace, CHANGERS, copiedInto } from './others-paths.js';
import { claim, type Fail, type Resolved, type Writers } from './writers.js';

/**
 * Programs that only list or read what they are given: a path they name that
 * nothing has written is a mistake, not something they create. `cd /data/d`
 * in a line reads the directory, as a `cd` line does (it never writes it, even
 * beside `cat /data/d/t.txt`).
 */
const READERS = new Set([
  'cd', 'pushd', 'ls', 'cat', 'paste', 'head', 'tail', 'wc', 'du', 'find', 'stat', 'tree', 'file', 'grep', 'zcat', 'diff', 'cmp',
  'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'cksum', 'b2sum',
  // Filters whose file operands are read (`sed -i`, `sort -o` and `uniq IN OUT` aside: mentions.ts).
  'sed', 'awk', 'gawk', 'mawk', 'sort', 'uniq', 'cut', 'join', 'comm', 'nl', 'tac', 'rev', 'tr', 'jq', 'bzcat', 'xzcat', 'zgrep', 'od', 'strings',
]);
/**
 * Programs that test or print a path without making it (`[ -e /data/x ]`,
 * `echo /data/x`, `basename`): read when a step above writes it; named first,
 * they would make the step its writer, failing with `missing-output`. Before
 * another word of the same step that writes it (`[ -d /data/o ] || mkdir -p
 * /data/o`), they leave it to that word.
 */
const NAMERS = new Set(['[', 'test', 'echo', 'printf', 'basename', 'dirname', 'realpath', 'readlink']);
for (const p of NAMERS) READERS.add(p);

/** Programs that remove, make or mark what they are given, putting no new file into a directory they name. */
const ADDS_NOTHING = new Set(['rm', 'rmdir', 'unlink', 'mkdir', 'touch', 'chmod', 'chown', 'chgrp']);
/** Those of them that make the name they are given: one made at run time (`touch /data/m/$x`) is a new file in its directory. */
const MAKES_NAMED = new Set(['mkdir', 'touch']);

/**
 * Decides, for each /data path a command names, whether the step reads it
 * (and from whom) or writes it, in document order: the first mention of a
 * path writes it, later ones read it; redirections decide for themselves;
 * a wildcard is a map input; `+` is the item, written, or joined when the
 * directory it is in was written before.
 */
export function classifyMentions(id: string, mentions: readonly Mention[], writers: Writers, fail: Fail): { inputs: Input[]; outputs: Output[] } {
  const inputs: Input[] = [];
  const outputs: Output[] = [];
  const maps = mentions.some((m) => m.wildcard !== undefined);
  const onlyReads = (m: Mention): boolean => m.redirect === undefined && m.program !== undefined && READERS.has(m.program) && m.inPlace !== true && m.written !== true;
  // Reported as unwritten, remembered so that a writer further down can be named (written-below.ts).
  const unwritten = (m: Mention, shown: string, message: string): void => {
    writers.unwritten.push({ step: id, path: m.path.text, shown, at: m.at, message });
    fail(m.at, message);
  };
  const write = (m: Mention, output: Output): void => {
    const named = m.redirect !== 'out' && m.dest !== true && m.plus === undefined ? { named: true as const, ...(m.program !== undefined ? { program: m.program } : {}) } : {};
    const file = m.redirect === 'out' && !m.path.isDir && m.plus === undefined && m.wildcard === undefined ? { file: true as const } : {};
    if (claim(writers, output.path, { step: id, at: m.at, ...named, ...file }, fail)) outputs.push(output);
  };
  for (const m of mentions) {
    const path = m.path.text;
    if ((m.wildcard || m.plus) && path === '/data') {
      fail(m.at, 'a wildcard or `+` needs a directory under /data, such as /data/items/*');
      continue;
    }
    // No file system takes such a name: every run failed the step (`File name too long`), after check passed it.
    const long = overlongMessage(path);
    if (long !== undefined) {
      fail(m.at, long);
      continue;
    }
    const r = writers.resolve(path);
    // Read inside (or mapped over) a path another step wrote as a file (`> /data/in`): no such file can be there.
    const asFile = insideAFile(path, m, r, id);
    if (asFile !== undefined) {
      fail(m.at, asFile.message, [asFile.related]);
      continue;
    }
    const mine = r.kind !== 'none' && r.writers.every((w) => w.step === id);
    const from = r.kind === 'none' ? [] : [...new Set(r.writers.map((w) => w.step))];
    if (m.wildcard !== undefined && m.redirect === 'out') {
      // The shell writes the one match there is (or fails on several): read as a map, each job would overwrite its input.
      fail(m.at, `\`${path}/${m.wildcard.pattern}\` follows an output redirection (\`>\`, \`>>\`, \`2>\`, \`&>\` or \`>|\`), so it is written, and a written path cannot hold a wildcard: to write one output per item of a map, name it with +, as in \`> /data/out/+\``);
      continue;
    }
    if (m.wildcard !== undefined) {
      if (r.kind === 'none') unwritten(m, `${path}/`, unwrittenMap(path));
      else if (mine) fail(m.at, `a step cannot map over its own output \`${path}/\``);
      else inputs.push({ path, isDir: true, from, at: m.at, pattern: m.wildcard.pattern });
      continue;
    }
    if (m.plus !== undefined) {
      const ext = m.plus.ext;
      if (r.kind !== 'none' && !mine && m.redirect !== 'out') {
        inputs.push({ path, isDir: true, from, at: m.at, join: { ext, ...(m.plus.file !== undefined ? { file: m.plus.file } : {}) } });
      } else if (r.kind === 'none' && maps && !writers.incomplete && (m.redirect === 'in' || onlyReads(m))) {
        // A join of a directory nothing writes (a typo, most likely): as an output, every job would fail at run time.
        const shown = `${path}/+${ext ?? ''}`;
        unwritten(m, shown, m.redirect === 'in'
          ? `reads \`${shown}\`, which no earlier step writes or imports and no frontmatter input names`
          : `nothing writes ${path}/: \`${m.program!}\` only reads it (its \`+\` joins each job's item there); write it in an earlier step, import it, or name it as a frontmatter input`);
      } else if (mine) {
        // `mkdir -p /data/out/ && cat /data/in/*.txt > /data/out/+`: the map writes items there, not the directory
        // whole (each job would output it beside its item, and find its item gone once the directory is taken).
        for (let k = outputs.length - 1; k >= 0; k--) if (outputs[k]!.path === path && !outputs[k]!.perItem) outputs.splice(k, 1);
        // `/data/aoh/+.tif` and `/data/aoh/+.json`: one directory, two files per item. `mkdir /data/o/+; … > /data/o/+/n.txt`:
        // one item, a directory Shark makes.
        const same = outputs.findIndex((o) => o.path === path && o.perItem && o.ext === ext);
        if (same < 0) outputs.push(perItem(path, m, ext));
        else if (m.plus.dir) outputs[same] = withFile({ ...outputs[same]!, created: true }, m.plus.file, m.at);
      } else {
        write(m, perItem(path, m, ext));
      }
      continue;
    }
    if (m.dest === true && r.kind !== 'none' && !mine && !copiedInto(m, r, writers, write, fail)) continue;
    const changer = m.inPlace === true || (m.program !== undefined && CHANGERS.has(m.program));
    if (changer && m.redirect === undefined && r.kind !== 'none' && !mine && !changedInPlace(m, r, writers, write, fail)) continue;
    if (m.inPlace === true && r.kind === 'none' && !writers.incomplete) {
      unwritten(m, path, `nothing writes ${path}: \`${m.program!} -i\` changes it in place; write it in an earlier step, import it, or name it as a frontmatter input`);
      continue;
    }
    if (m.redirect === 'in' && r.kind === 'none') {
      unwritten(m, path, `reads \`${path}\`, which no earlier step writes or imports and no frontmatter input names`);
      continue;
    }
    if (r.kind === 'none' && !writers.incomplete && onlyReads(m)) {
      const shown = m.path.isDir ? `${path}/` : path;
      if (NAMERS.has(m.program!) && mentions.some((o) => o !== m && o.path.text === path && !(o.program !== undefined && NAMERS.has(o.program)))) continue;
      // `cat /data/a.txt > /data/a.txt`: the step's own redirection writes it (empties it before `cat` reads it).
      const itself = mentions.some((o) => o !== m && o.path.text === path && o.redirect === 'out');
      unwritten(m, shown, itself
        ? `\`${m.program}\` reads ${shown}, which this step's own redirection writes: a step cannot read what it writes; read it from an earlier step's output, and write another path`
        : `nothing writes ${shown}: \`${m.program}\` only ${NAMERS.has(m.program!) ? 'names' : 'reads'} it; write it in an earlier step, import it, or name it as a frontmatter input`);
      continue;
    }
    // A name made at run time (`> /data/m/$x.txt`) in a directory the step writes a file into: the directory, below.
    const madeInMine = mine && r.kind === 'contains' && m.cut === true && (m.redirect === 'out' || (m.program !== undefined && MAKES_NAMED.has(m.program)));
    if ((m.redirect === 'out' || r.kind === 'none') && !madeInMine) {
      if (!mine) write(m, { path, isDir: m.path.isDir, at: m.at, perItem: false, ...(m.cut === true ? { created: true as const } : {}) });
      continue;
    }
    if (mine) {
      // `echo 1 > /data/y/n.txt; cp x /data/y/`: a program that may write names the directory the step writes files
      // into, as a directory (its `/`). The directory is the output, whole: its files alone would drop what that
      // program put beside them.
      if ((madeInMine || (r.kind === 'contains' && m.path.isDir && m.redirect !== 'in' && !onlyReads(m) && !(m.program !== undefined && ADDS_NOTHING.has(m.program))))
        && claim(writers, path, { step: id, at: m.at }, fail)) {
        for (let k = outputs.length - 1; k >= 0; k--) if (isUnder(outputs[k]!.path, path) && !outputs[k]!.perItem) outputs.splice(k, 1);
        // Shark makes it, as it made it for the file the step wrote into it.
        outputs.push({ path, isDir: true, at: m.at, perItem: false, created: true });
      }
      continue;
    }
    if (r.kind === 'contains' && !(m.program !== undefined && READERS.has(m.program)) && readsInside(path, m, mentions, writers, id)) {
      // The step reads files other steps put in the directory and names the directory: it writes next to them
      // (unless a program that only lists or reads names it: `ls /data/b/` beside `cat /data/b/sub/t.csv`).
      write(m, { path, isDir: true, at: m.at, perItem: false });
      continue;
    }
    inputs.push({ path, isDir: m.path.isDir || r.kind === 'contains', from, at: m.at });
  }
  return { inputs, outputs };
}

/**
 * A read inside a path another step writes as a file (`echo a > /data/in`,
 * then `cat /data/in/x.txt`), or a map over it (`/data/in/*`): nothing can be
 * there, and `check` passed what every run failed (writing there is refused
 * alike, `writers.ts`).
 */
function insideAFile(path: string, m: Mention, r: Resolved, id: string): { message: string; related: { at: Position; message: string } } | undefined {
  const over = m.wildcard !== undefined || m.plus !== undefined;
  const file = r.kind === 'under' ? r.writers[0] : r.kind === 'exact' && over ? r.writers[0] : undefined;
  if (file?.file !== true || file.step === id || m.redirect === 'out') return undefined;
  const shown = r.kind === 'under' ? r.path : path;
  const what = r.kind === 'under' ? `\`${path}\` is inside \`${shown}\`` : `\`${path}/${m.wildcard?.pattern ?? '+'}\` looks inside \`${shown}\``;
  return {
    message: `${what}, which step \`${file.step}\` writes as a file: a path is a file or a directory, not both (run by hand, this fails with \`Not a directory\`)`,
    related: { at: file.at, message: `step \`${file.step}\` writes the file \`${shown}\` here` },
  };
}

function perItem(path: string, m: Mention, ext: string | undefined): Output {
  // `+/`: each job's item is a directory, which Shark makes for it.
  return withFile({ path, isDir: true, at: m.at, perItem: true, ...(ext !== undefined ? { ext } : {}), ...(m.plus?.dir === true ? { created: true as const } : {}) }, m.plus?.file, m.at);
}

/** The item output with one more name written in each item's directory (`+/sub/stats.txt`), whose directories Shark makes. */
function withFile(o: Output, file: string | undefined, at: Position): Output {
  return file === undefined || o.files?.includes(file) === true ? o : { ...o, files: [...(o.files ?? []), file], filesAt: [...(o.filesAt ?? []), at] };
}

/** Whether another mention of the command reads a path inside `dir` that another step wrote. */
function readsInside(dir: string, m: Mention, mentions: readonly Mention[], writers: Writers, id: string): boolean {
  return mentions.some((o) => {
    if (o === m || o.wildcard !== undefined || o.plus !== undefined || o.redirect === 'out' || !isUnder(o.path.text, dir)) return false;
    const r = writers.resolve(o.path.text);
    return r.kind !== 'none' && r.writers.some((w) => w.step !== id);
  });
}

/**
 * A map over a directory nothing makes: most often a directory of the user's
 * own, which a run binds only when the frontmatter declares it (a `-i` for an
 * input it does not declare is refused too, but after this error).
 */
function unwrittenMap(path: string): string {
  const last = path.slice(path.lastIndexOf('/') + 1);
  const name = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(last) ? last : 'NAME';
  return `maps over \`${path}/\`, which no earlier step writes or imports and no frontmatter input names: to map over a directory of your own, declare it (\`inputs:\` with \`${name}: ${path}/\`) and bind it with \`-i ${name}=DIR\``;
}
