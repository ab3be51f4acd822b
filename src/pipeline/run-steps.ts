import { posix } from 'node:path';
import type { Position } from '../diagnostics.js';
import type { SharkBlock } from '../markdown/document.js';
import { durationSeconds } from '../markdown/option-values.js';
import { classifyMentions } from './classify.js';
import { leadsIntoData, normaliseDataPath } from './data-path.js';
import { blockResources } from './resources.js';
import { findMentions, type Mention } from './mentions.js';
import { onlySetsVariables } from './assignment-line.js';
import type { Input, Step } from './pipeline.js';
import { splitCommands, type CommandText } from './shell-lines.js';
import { shellWords, type Word } from './shell-words.js';
import type { Fail, Writers } from './writers.js';

const PRELUDE = new Set(['export', 'set', 'umask', 'alias', 'unset']);

/** The steps of a `shark-run` block: one per command, with `cd` and `export` lines applied to those after them. */
export function runSteps(
  block: SharkBlock,
  blockId: string,
  firstIndex: number,
  stepId: (n: number, total: number) => string,
  writers: Writers,
  fail: Fail,
): Step[] {
  // An environment no shark-build defines is a warning that `run` refuses (missing-environments.ts).
  const network = block.options['network'] === 'host' ? 'host' : block.options['network'] !== undefined && block.options['network'] !== 'false';
  // The tag parser has already checked the option's form.
  const timeout = parseTimeout(block.options['timeout']);
  if (timeout === null) fail(block.infoAt, `invalid timeout \`${String(block.options['timeout'])}\`: write seconds or a duration like 30s, 10m, 2h`);
  const resources = blockResources(block, fail);

  const split = splitCommands(block.body);
  for (const p of split.problems) fail(p.at, p.message);
  let cwd: string | undefined;
  let cwdAt: Position = block.at;
  const prelude: string[] = [];
  const commands: { text: CommandText; words: Word[]; cwd: string | undefined; cwdAt: Position; exports: string[] }[] = [];
  for (const text of split.commands) {
    const words = shellWords(text.text);
    // One simple command, whatever its double-quoted substitutions hold (`cd "$(dirname …)"`, `N="$(cat …)"`).
    const outer = words.filter((w) => w.substituted !== true);
    const single = outer.every((w) => w.command === 0);
    const first = outer[0]?.value;
    if (single && first === 'cd' && outer.length <= 2) {
      const dir = outer[1]?.value;
      const dirAt = outer[1] === undefined ? text.at : { line: text.lines[outer[1].offsets[0]!]!, col: text.cols[outer[1].offsets[0]!]! };
      // sh would expand these as the command runs; Shark sets the directory from the text (`~` was dropped, `$WD` looked for as a name).
      const expanded = dir === undefined ? undefined : /^[~-]|[$`]/.exec(dir)?.[0];
      if (expanded !== undefined) {
        const what = expanded === '~' ? '`~`' : expanded === '-' ? '`-`' : 'a variable';
        fail(dirAt, `\`cd ${dir}\`: a cd line's directory is taken as written, and Shark cannot expand ${what} in it: write the directory (or %{NAME} for a frontmatter value), or cd inside the command (\`cd ${dir} && …\`)`);
        continue;
      }
      cwd = dir === undefined ? undefined : cwd !== undefined && !dir.startsWith('/') ? posix.join(cwd, dir) : dir;
      cwdAt = dirAt;
      continue;
    }
    // `NAME=value` alone sets a variable for the commands after it in sh, as `export` does here; a step of its own did nothing.
    // One whose output goes somewhere prints what is set (`umask > /data/u.txt`, `export -p > …`): a step.
    const prints = outer.some((w) => w.redirect === 'out');
    if (first !== undefined && ((single && ((PRELUDE.has(first) && !prints) || outer.every(isAssignment))) || onlySetsVariables(text.text))) {
      const data = dataInPrelude(text, words);
      if (data !== undefined) fail(data.at, data.message);
      else prelude.push(text.text);
      continue;
    }
    commands.push({ text, words, cwd, cwdAt, exports: [...prelude] });
  }

  const steps: Step[] = [];
  // A `cd` applies to every command below it: what is wrong with it is said once.
  const saidOfCd = new Set<string>();
  const failCd = (at: Position, message: string): void => {
    if (!saidOfCd.has(`${at.line}:${at.col}`)) fail(at, message);
    saidOfCd.add(`${at.line}:${at.col}`);
  };
  commands.forEach((c, n) => {
    const id = stepId(n, commands.length);
    const posOf = (offset: number): Position => ({ line: c.text.lines[offset] ?? c.text.at.line, col: c.text.cols[offset] ?? c.text.at.col });
    const mentions: Mention[] = [];
    let misnamed = false;
    for (const found of findMentions(c.words, posOf)) {
      if (found.ok) mentions.push(found.mention);
      else (fail(found.at, found.message), (misnamed = true));
    }
    const { inputs, outputs } = classifyMentions(id, mentions, writers, fail);
    // After `cd /data/x`, the commands below read /data/x as their working directory.
    const dataCwd = c.cwd === undefined || !leadsIntoData(c.cwd) ? undefined : normaliseDataPath(c.cwd);
    // `cd /data` or out of it: on the host, the machine's own directory.
    if (dataCwd?.ok === false) failCd(c.cwdAt, `\`cd ${c.cwd}\`: ${dataCwd.message}`);
    if (dataCwd?.ok) {
      const r = writers.resolve(dataCwd.path.text);
      if (r.kind === 'none') failCd(c.cwdAt, `\`cd ${c.cwd}\`: no earlier step writes or imports ${dataCwd.path.text}`);
      else if (!r.writers.every((w) => w.step === id)) {
        inputs.push({ path: dataCwd.path.text, isDir: true, from: [...new Set(r.writers.map((w) => w.step))], at: c.cwdAt });
      }
    }
    const plus = mentions.find((m) => m.plus !== undefined);
    // With a path already reported, the wildcard this `+` goes with may be the one that was wrong.
    if (plus !== undefined && !misnamed && !mentions.some((m) => m.wildcard !== undefined)) {
      fail(plus.at, '`+` names each map job\'s output after its item, but this command has no wildcard input such as /data/dir/*');
    }
    steps.push({
      kind: 'run', id, index: firstIndex + n, blockId, block, at: c.text.at,
      command: c.text.text, text: c.text, mentions, env: block.arg, cwd: dataCwdOf(c.cwd, dataCwd), exports: c.exports,
      // After a `cd /data/…` line a relative name is data there, not a file beside the document.
      localFiles: dataCwd?.ok === true ? localFileWords(c.words).filter((w) => w.startsWith('/')) : localFileWords(c.words), network, timeout: timeout ?? undefined, resources,
      inputs: dedupe(inputs), outputs, after: [],
    });
  });
  return steps;
}

/**
 * The working directory a step is given: `cd //data/x` is /data/x, since the
 * executors put the workspace only before a directory written `/data/…`. One
 * already written so is kept as it is, its cache key unchanged.
 */
function dataCwdOf(cwd: string | undefined, dataCwd: ReturnType<typeof normaliseDataPath> | undefined): string | undefined {
  return dataCwd?.ok && !cwd!.startsWith('/data/') ? dataCwd.path.text : cwd;
}

function dedupe(inputs: Input[]): Input[] {
  const seen = new Set<string>();
  return inputs.filter((i) => {
    // `+/one.txt` and `+/two.txt` of one directory are two joins: each file is staged and keyed on its own.
    const key = `${i.path}\0${i.pattern ?? ''}\0${i.join === undefined ? '' : `+${i.join.ext ?? ''}/${i.join.file ?? ''}`}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Words that look like paths to local files (scripts, configs): `scripts/fit.py`, `--config=run.yaml`,
 * also of a command substitution inside double quotes (`"$(cat top.txt)"`: shell-words.ts `substituted`). A word after
 * `cd DIR` in the same line (`cd analysis && python3 fit.py`, `(cd analysis; …)`) is kept both as written
 * and below DIR, since where a subshell's `cd` ends is not followed. A word with an unquoted wildcard
 * (`lib/*.py`) is kept as the pattern: plan reads which files it matches (`plan/local-files.ts`).
 */
function localFileWords(words: readonly Word[]): string[] {
  const found = new Set<string>();
  let dirs = [''];
  for (const [k, w] of words.entries()) {
    const previous = words[k - 1];
    if (previous?.value === 'cd' && previous.command === w.command && words[k - 2]?.command !== w.command) {
      if (isLocalDir(w.value)) dirs = [...new Set([...dirs, ...dirs.map((d) => posix.join(d, w.value))])].slice(0, MAX_CD_DIRS);
      // Into /data (`cd /data/d && cat *.txt`), a relative name is data, not a file beside the document; elsewhere, below that directory.
      else if (w.value.startsWith('/') && !/[$`*?[\]{}~]/.test(w.value)) dirs = leadsIntoData(w.value) ? [] : [posix.normalize(w.value)];
      continue;
    }
    const name = localFileWord(w);
    if (name === undefined) continue;
    if (name.startsWith('/')) found.add(posix.normalize(name));
    else for (const d of dirs) found.add(posix.normalize(posix.join(d, name)));
  }
  return [...found];
}

/** The most directories a line's `cd`s may place a word below: each `cd` doubles them. */
const MAX_CD_DIRS = 8;

function isLocalDir(dir: string): boolean {
  return dir !== '' && dir !== '-' && !dir.startsWith('/') && !/[$`*?[\]{}~]/.test(dir);
}

/**
 * The path a word names, if it looks like a local file's (or a pattern of
 * them): `fit.py`, `--config=a.yaml`, `if=conf.txt`, `/home/me/conf.txt`
 * (not a /data path: that is data).
 */
function localFileWord(w: Word): string | undefined {
  // What `>` or `>>` writes is no file the step reads (a log it appends to would change its key at every run).
  if (w.redirect === 'out') return undefined;
  let from = 0;
  if (w.value.startsWith('-') || /^[A-Za-z_][\w.-]*=/.test(w.value)) {
    from = w.value.indexOf('=') + 1;
    if (from === 0) return undefined;
  }
  const v = w.value.slice(from);
  if (v === '' || /[$`{}~]/.test(v) || v.includes('://') || v === '/data' || v.startsWith('/data/')) return undefined;
  if (!v.includes('/') && !v.includes('.')) return undefined;
  // `.` and `..` name the document's directory or one holding it (never keyed: plan/local-files.ts), but after a
  // line's own `cd DIR` they are DIR and its parent.
  // A quoted wildcard is literal to the shell (`find . -name '*.py'` reads no such file).
  const wild = [...v].some((ch, i) => '*?['.includes(ch) && w.contexts[from + i] === '');
  if (!wild && /[*?[\]]/.test(v)) return undefined;
  return v;
}

/**
 * A /data path in a line carried to the commands below it (`N=$(wc -l <
 * /data/a.txt)`, `export OUT=/data/out.txt`): that line is given to them as
 * written, so the path would be neither placed for them nor waited for, and
 * on the host it names the machine's own /data. Refused at the path.
 */
function dataInPrelude(text: CommandText, words: readonly Word[]): { at: Position; message: string } | undefined {
  const posOf = (offset: number): Position => ({ line: text.lines[offset] ?? text.at.line, col: text.cols[offset] ?? text.at.col });
  const [found] = findMentions(words, posOf);
  if (found === undefined) return undefined;
  const path = found.ok ? found.mention.path.text : undefined;
  return {
    at: found.ok ? found.mention.at : found.at,
    message: `${path === undefined ? 'a /data path' : `\`${path}\``} in a line that only sets variables: Shark gives such a line to the commands below it as written, `
      + 'so the path is neither placed for them nor waited for (on the host it names the machine\'s own /data): '
      + 'use it in the command that needs it (`echo "n=$(wc -l < /data/x)" > /data/n.txt`), not through a variable',
  };
}

function parseTimeout(value: string | true | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  return value === true ? null : durationSeconds(value) ?? null;
}


/** Whether a word is an assignment (`NAME=value`) as sh reads one: a name, unquoted, then `=`. */
function isAssignment(w: Word): boolean {
  const eq = w.value.indexOf('=');
  return eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(w.value.slice(0, eq)) && w.contexts.slice(0, eq + 1).every((c) => c === '');
}
