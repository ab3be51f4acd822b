/**
 * The sbatch options a user may add (`--slurm-opt`, `{slurm="…"}`): one
 * rule for both forms, checked before anything is submitted. Pure: the
 * block's option is checked as the document is read, the flag at the
 * command line, and the executor's argv (exec/slurm/args.ts) again.
 */

/** Options Shark sets itself, by long name, with what depends on them. */
const RESERVED: Readonly<Record<string, string>> = {
  array: 'a map is one array, one task per item (or per --items-per-task items)',
  'job-name': 'squeue shows shark:<pipeline>:<block>',
  wrap: "the batch script is Shark's",
  output: "Slurm's output of a task goes to the submission's directory in the store, where a failure report reads it",
  error: "Slurm's output of a task goes to the submission's directory in the store, where a failure report reads it",
  chdir: "the batch script starts in the submission's directory in the store",
  parsable: 'Shark reads the job id sbatch prints',
  requeue: 'a task re-run by Slurm would write into a workspace its first attempt half wrote (Shark submits --no-requeue)',
  wait: 'Shark waits for its jobs itself, and sbatch would not return until they end',
  // Quiet, sbatch prints no job id either: every job failed on `sbatch printed no job id` (said as sbatch's refusal).
  quiet: 'Shark reads the job id sbatch prints, which --quiet leaves out',
};

/** Options with which sbatch submits nothing (it prints, or only checks): each job would fail with sbatch's text. */
const NO_SUBMIT: Readonly<Record<string, string>> = {
  help: 'print its help', usage: 'print its usage', version: 'print its version', 'test-only': 'only check the request',
};
const NO_SUBMIT_SHORT: Readonly<Record<string, string>> = { h: 'help', u: 'usage', V: 'version' };

/** Short forms of the reserved options. */
const RESERVED_SHORT: Readonly<Record<string, string>> = { a: 'array', J: 'job-name', o: 'output', e: 'error', D: 'chdir', W: 'wait', Q: 'quiet' };

/** sbatch's short options that take no value (the others take one: `-p gpu`, `-pgpu`). */
const FLAGS = new Set(['H', 'h', 'k', 'O', 'Q', 's', 'u', 'V', 'v', 'W']);

/**
 * The words as sbatch reads them, or the first that is wrong: `reason`
 * follows the word quoted (` sets sbatch's --array, …`, `: write …`);
 * `notOption` for a word that is neither an option nor a short option's value;
 * `index` is the word's place in the words checked (in `slurmOptWords`, the
 * value's that holds it: shark.yaml locates the value).
 */
export type SbatchWords =
  | { readonly ok: true; readonly words: string[] }
  | { readonly ok: false; readonly word: string; readonly reason: string; readonly notOption: boolean; readonly index: number };

/**
 * `--slurm-opt` values as argv words: each value is one option
 * (`--partition=gpu`, `-pgpu`), or a short option and its value written as
 * one (`-p gpu`, split in two). A short option's value may also be the next
 * value (`--slurm-opt=-p --slurm-opt=gpu`), as in `{slurm="-p gpu"}`.
 */
export function slurmOptWords(values: readonly string[]): SbatchWords {
  const words: string[] = [];
  const valueOf: number[] = [];
  values.forEach((v, i) => {
    const m = /^(-[A-Za-z])\s+(\S[\s\S]*)$/.exec(v);
    if (m !== null && !FLAGS.has(m[1]![1]!)) words.push(m[1]!, m[2]!), valueOf.push(i, i);
    else words.push(v), valueOf.push(i);
  });
  const checked = checkWords(words);
  return checked.ok ? checked : { ...checked, index: valueOf[checked.index]! };
}

/**
 * The words of sbatch options, or the first sbatch would misread: a word
 * that is no option must be the value of the short option before it
 * (sbatch would take any other for the batch script, in place of Shark's).
 * Options Shark sets itself, `--`, and `--export` without ALL (the job's
 * environment carries its secrets) are refused; getopt takes unambiguous
 * abbreviations of long options (`--arr`), so a prefix of a reserved name
 * is refused too.
 */
export function checkWords(words: readonly string[]): SbatchWords {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const wrong = (reason: string, notOption = false): SbatchWords => ({ ok: false, word: w, reason, notOption, index: i });
    if (w === '--') return wrong(" ends sbatch's options: what follows would be taken for the batch script");
    if (!w.startsWith('-') || w === '-') {
      const before = words[i - 1];
      if (before !== undefined && /^-[A-Za-z]$/.test(before) && !FLAGS.has(before[1]!)) continue;
      if (before !== undefined && /^--[^=]+$/.test(before)) return { ok: false, word: `${before} ${w}`, reason: `: write \`${before}=${w}\``, notOption: true, index: i - 1 };
      return wrong(" is no sbatch option (they start with '-')", true);
    }
    const long = /^--([^=\s]+)(=?)([\s\S]*)$/.exec(w);
    if (long !== null) {
      const name = long[1]!;
      const value = long[3]!;
      if (long[2] === '' && value !== '') return wrong(`: write \`--${name}=${value.trim()}\``);
      const reserved = Object.keys(RESERVED).find((r) => r.startsWith(name));
      if (reserved !== undefined) return wrong(` sets sbatch's --${reserved}, which Shark sets itself: ${RESERVED[reserved]}`);
      const inert = Object.keys(NO_SUBMIT).find((r) => r.startsWith(name));
      if (inert !== undefined) return wrong(`: sbatch would ${NO_SUBMIT[inert]} and submit nothing`);
      if (name.length >= 3 && 'export'.startsWith(name) && !/^ALL(,|$)/.test(value)) {
        return wrong(": the job must keep sbatch's environment (--export=ALL, the default): Shark passes the job's secrets through it");
      }
      continue;
    }
    // `-vJ name`: short options run together until one that takes a value.
    for (const c of w.slice(1)) {
      const reserved = RESERVED_SHORT[c];
      if (reserved !== undefined) return wrong(` sets sbatch's --${reserved}, which Shark sets itself: ${RESERVED[reserved]}`);
      const inert = NO_SUBMIT_SHORT[c];
      if (inert !== undefined) return wrong(`: sbatch would ${NO_SUBMIT[inert]!} and submit nothing`);
      if (!FLAGS.has(c)) break;
    }
    const next = words[i + 1];
    if (/^-[A-Za-z]$/.test(w) && !FLAGS.has(w[1]!) && (next === undefined || next.startsWith('-'))) return wrong(` needs a value: write \`${w} VALUE\``);
  }
  return { ok: true, words: [...words] };
}
