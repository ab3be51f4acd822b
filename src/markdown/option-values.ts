import { checkWords } from './sbatch-options.js';

/**
 * The values a block's `{key=value}` options may take, each checked as the
 * tag is read (`tags.ts`), and the readings of them later steps share:
 * durations, slot counts, memory sizes, names, sbatch words.
 */

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Why `value` is no block id or pool name (`what`), or undefined: `.x` and
 * `-x` hold only allowed characters, so their message says where they go wrong.
 */
export function nameProblem(what: 'block id' | 'pool name', value: string): string | undefined {
  if (ID.test(value)) return undefined;
  const rule = /^[A-Za-z0-9_.-]+$/.test(value) ? 'it must start with a letter or digit' : 'use ASCII letters, digits, \'.\', \'_\' and \'-\'';
  return `invalid ${what} \`${value}\`: ${rule}`;
}
const DURATION = /^(\d+(?:\.\d+)?)([smh]?)$/;

/** The seconds of a `{timeout}` duration (`90`, `90s`, `10m`, `1.5h`); undefined when it is none. */
export function durationSeconds(value: string): number | undefined {
  const m = DURATION.exec(value);
  return m === null ? undefined : Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
}
/** `{threads=N}` (a whole number ≥ 1) or `{threads=all}`. */
export const THREADS = /^(?:[1-9]\d{0,5}|all)$/;
/** `{memory=8G}`: binary units K, M, G, T, with `B` or `iB` after the unit allowed. */
export const MEMORY = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i;

/** Checks one option's value; returns why it is wrong, or undefined. */
export function invalidValue(key: string, value: string | true): string | undefined {
  switch (key) {
    case 'id':
      if (value === true) return '`id` needs a value: {id=NAME}';
      return nameProblem('block id', value);
    case 'deps':
      // An empty list (`{deps=}`) names no file.
      if (value === true || value.trim() === '') return '`deps` needs files: {deps=requirements.lock} or {deps=a.lock,b.txt}';
      {
        // A /data path is what steps make and read, not a file beside the document: it can never be found there.
        const files = value.split(',').map((f) => f.trim());
        const data = files.find((f) => f === '/data' || f.startsWith('/data/'));
        if (data !== undefined) return `\`deps\` names files beside the document (relative to its directory), and ${data} is data: read it in the command, which makes it an input of the step`;
        // Quoted as `{slurm="…"}` is: the quotes would be part of the names, and no such file found.
        if (/["']/.test(value)) return `\`deps\` names files without quotes (a quote would be part of the name): {deps=a.lock,b.txt}, not \`deps=${value}\``;
      }
      return undefined;
    case 'timeout': {
      if (value === true) return '`timeout` needs a value: {timeout=30m}';
      const seconds = durationSeconds(value);
      if (seconds === undefined) return `invalid timeout \`${value}\`: write seconds or a duration like 30s, 10m, 2h`;
      // Under a millisecond the timer fires at once: every job would fail before it ran.
      return seconds < 0.001 ? `timeout=${value} would stop every job at once: give a positive duration such as 30s, 10m, 2h, or leave it out for no limit` : undefined;
    }
    case 'threads':
      if (value === true || !THREADS.test(value)) return `\`threads\` is a number of slots or all: {threads=4}, {threads=all}${value === true ? '' : `, not \`${value}\``}`;
      return undefined;
    case 'memory':
      if (value === true || !MEMORY.test(value)) return `\`memory\` is a size with a binary unit: {memory=8G}, {memory=512M}${value === true ? '' : `, not \`${value}\``}`;
      return undefined;
    case 'pool':
      if (value === true) return '`pool` needs a name: {pool=db}';
      return nameProblem('pool name', value);
    case 'network':
      // `{network=host}`: a container shares the host's network (a database on the host's localhost).
      return value === true || value === 'true' || value === 'false' || value === 'host' ? undefined : `\`network\` is written {network}, {network=host} or {network=false}, not \`${value}\``;
    case 'slurm': {
      if (value === true) return '`slurm` needs sbatch options: {slurm="--qos=long --gres=gpu:1"}';
      // `{slurm="--qos=long,--x"}`: the comma ended the option, inside the quotes.
      const quote = /^["']/.exec(value)?.[0];
      if (quote !== undefined && (value.length < 2 || !value.endsWith(quote))) {
        return `\`slurm\`: the quote opening \`${value}\` is never closed: a comma ends an option, so separate sbatch options with spaces: {slurm="--qos=long --gres=gpu:1"}`;
      }
      const words = slurmWords(value);
      if (words.length === 0) return '`slurm` needs sbatch options: {slurm="--qos=long --gres=gpu:1"}';
      const checked = checkWords(words);
      if (checked.ok) return undefined;
      if (checked.notOption && !checked.word.includes(' ')) return `\`slurm\` takes sbatch options, each starting with '-': \`${checked.word}\` does not`;
      return `\`slurm\`: \`${checked.word}\`${checked.reason}`;
    }
    case 'skip':
    case 'manual':
    case 'precious':
      return value === true || value === 'true' || value === 'false' ? undefined : `\`${key}\` is written {${key}} or {${key}=false}, not \`${value}\``;
    default:
      return undefined;
  }
}

/** The words of a `{slurm="…"}` value, its quotes taken off. */
export function slurmWords(value: string): string[] {
  const bare = /^"(.*)"$/.exec(value)?.[1] ?? /^'(.*)'$/.exec(value)?.[1] ?? value;
  return bare.split(/\s+/).filter((w) => w !== '');
}
