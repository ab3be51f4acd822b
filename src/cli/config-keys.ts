/**
 * What a config file may set, and which command-line option each key is the
 * default of. A new option gets its config key with one row here.
 *
 * Kinds say what the value must be in shark.yaml and how it becomes the
 * option's value:
 * - `path`: a string, relative to the config file's directory;
 *   `store` likewise, except `zfs:POOL/DATASET`
 * - `count`: a whole number ≥ 1 (the option holds its text)
 * - `boolean`: true or false
 * - `size`: a string or number as the option takes it (`16G`)
 * - `choice`: one of the row's `choices`
 * - `names`: one string or a list of them (a repeatable option);
 *   `sbatch-options` likewise, each checked as `--slurm-opt` checks its own
 * - `paths-by-name`, `counts-by-name`, `values-by-name`: a mapping, given
 *   to a repeatable `NAME=VALUE` option; the command line's names win one by one
 */
export type ConfigKind = 'path' | 'store' | 'count' | 'boolean' | 'size' | 'choice' | 'names' | 'sbatch-options' | 'paths-by-name' | 'counts-by-name' | 'values-by-name';

export interface ConfigKey {
  /** The key in shark.yaml. */
  readonly key: string;
  /** The option's attribute name in commander (`keep-going` → `keepGoing`). */
  readonly option: string;
  /** How `shark config` names the option. */
  readonly flag: string;
  readonly kind: ConfigKind;
  /** An environment variable the option also reads: it comes before the config file. */
  readonly envVar?: string;
  /** What `shark config` says when nothing sets an option that has no default value. */
  readonly unset?: string;
  /** The values a `choice` may take. */
  readonly choices?: readonly string[];
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { key: 'store', option: 'store', flag: '--store', kind: 'store', envVar: 'SHARK_STORE' },
  { key: 'jobs', option: 'jobs', flag: '-j', kind: 'count' },
  { key: 'keep-going', option: 'keepGoing', flag: '-k', kind: 'boolean' },
  { key: 'inputs', option: 'input', flag: '-i', kind: 'paths-by-name', unset: 'unbound' },
  { key: 'env', option: 'env', flag: '-e', kind: 'values-by-name' },
  { key: 'pools', option: 'pool', flag: '--pool', kind: 'counts-by-name' },
  { key: 'memory', option: 'memory', flag: '--memory', kind: 'size', unset: 'the machine\'s memory' },
  { key: 'secrets', option: 'secrets', flag: '--secrets', kind: 'path' },
  { key: 'force', option: 'force', flag: '--force', kind: 'names' },
  { key: 'executor', option: 'executor', flag: '--executor', kind: 'choice', choices: ['local', 'slurm'] },
  { key: 'slurm-opts', option: 'slurmOpt', flag: '--slurm-opt', kind: 'sbatch-options' },
  { key: 'items-per-task', option: 'itemsPerTask', flag: '--items-per-task', kind: 'count' },
];

/** Keys that are no option: frontmatter values, and the targets of `plan` and `run`. */
export const FRONTMATTER_KEY = 'frontmatter';
export const TARGETS_KEY = 'targets';

export const ALL_KEYS: readonly string[] = [...CONFIG_KEYS.map((k) => k.key), FRONTMATTER_KEY, TARGETS_KEY].sort();
