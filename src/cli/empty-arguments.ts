import type { Command } from 'commander';
import { EXIT_INVALID, ExitError } from './load-or-report.js';

/** Arguments that name a pipeline document. */
const PIPELINE_ARGUMENTS = new Set(['file', 'pipeline']);

/**
 * Options that name a place, and what to say when one names none. `blank`:
 * one of only spaces is refused too, for a directory that would be made
 * under a name of spaces. `commands`: only theirs, when the option means
 * something else elsewhere (keygen's `-o` is a name, and says its own).
 */
const PLACE_OPTIONS: readonly { attribute: string; flag: string; hint: string; blank?: true; commands?: readonly string[] }[] = [
  { attribute: 'store', flag: '--store', hint: 'name a directory or zfs:POOL/DATASET, or leave the option out for the default', blank: true },
  { attribute: 'outputDir', flag: '--output-dir', hint: 'name a directory (it is made if missing)', blank: true },
  // An empty host is every address: a page meant for this machine shown to the network.
  { attribute: 'host', flag: '--host', hint: 'name the address to listen on, or leave the option out for 127.0.0.1' },
  // Taken as no key, it would sign nothing, in silence.
  { attribute: 'sign', flag: '--sign', hint: 'name an ed25519 private key file (shark keygen writes one), or leave the option out' },
  // Taken as the current directory: `will not write : it holds the pipeline document`, `: error: cannot read …`.
  { attribute: 'output', flag: '-o', hint: 'name the file to write the executed document to', commands: ['run'] },
  { attribute: 'output', flag: '-o', hint: 'name a file, or leave the option out for standard output', commands: ['prov'] },
  { attribute: 'output', flag: '-o', hint: 'name the directory to write the crate into (new or empty)', commands: ['crate'] },
  { attribute: 'config', flag: '--config', hint: 'name a YAML file, or leave the option out for shark.yaml beside the pipeline' },
  { attribute: 'secrets', flag: '--secrets', hint: 'name a file of KEY=VALUE lines' },
  // Taken at start-up, it fails only at the end, losing the session's document.
  { attribute: 'save', flag: '--save', hint: 'name the markdown file to write the pipeline to' },
  // Read as a file named nothing: `cannot read the public key : no such file`.
  { attribute: 'key', flag: '--key', hint: 'name a public key file (shark keygen writes NAME.pub)', commands: ['verify'] },
  { attribute: 'key', flag: '--key', hint: 'name the private key file to sign with (shark keygen writes NAME.key)', commands: ['sign'] },
  { attribute: 'trust', flag: '--trust', hint: 'name a public key file (shark keygen writes NAME.pub), or leave the option out' },
];

/**
 * Before any action: an empty pipeline argument, or a `--store ''` or
 * `--output-dir ''` (or one of only spaces), is a usage error, as is an
 * empty value of another option in `PLACE_OPTIONS`. Each would
 * otherwise be read as a path relative to the current directory — `--store
 * ''` spreads a store's files into it, `--output-dir ''` writes documents
 * into it, `--store '   '` makes a directory named by three spaces, `gc ''`
 * looks for the parent directory's `.shark` — which no one asking for it meant.
 * A `$SHARK_STORE` of only spaces, where it would be used, is refused alike.
 */
export function refuseEmptyArguments(cmd: Command, stderr: (s: string) => void): void {
  const refuse = (what: string, hint: string, is = 'empty'): never => {
    stderr(`shark: error: ${what} is ${is}: ${hint}\n`);
    throw new ExitError(EXIT_INVALID);
  };
  cmd.registeredArguments.forEach((argument, i) => {
    if (!PIPELINE_ARGUMENTS.has(argument.name())) return;
    const value: unknown = cmd.processedArgs[i];
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (values.includes('')) refuse(`the ${argument.name()} argument`, 'name a pipeline markdown file');
  });
  for (const { attribute, flag, hint, blank, commands } of PLACE_OPTIONS) {
    if (commands !== undefined && !commands.includes(cmd.name())) continue;
    const value: unknown = cmd.getOptionValueSource(attribute) === 'cli' ? cmd.getOptionValue(attribute) : undefined;
    // A repeatable option (`--key`, `--trust`) holds a list: any of its values empty.
    if (value === '' || (Array.isArray(value) && value.includes(''))) refuse(flag, hint);
    if (blank === true && typeof value === 'string' && value.trim() === '') refuse(flag, hint, 'blank');
  }
  // Empty, it counts as unset (find-store.ts); only spaces, it would name a directory of spaces, as `--store '  '` would.
  const env = process.env['SHARK_STORE'];
  const usesEnv = cmd.options.some((o) => o.attributeName() === 'store') && cmd.getOptionValueSource('store') !== 'cli';
  if (usesEnv && env !== undefined && env !== '' && env.trim() === '') refuse('$SHARK_STORE', 'set it to a directory or zfs:POOL/DATASET, or unset it for the default', 'blank');
  // Taken as written (no shell reads it: `--store=~/x`, a quoted `$HOME`): a directory named `~` or `$HOME` was made
  // beside the document, a trap for a later `rm -rf ~`; as a publish directory's `~` is refused.
  const store: unknown = cmd.getOptionValueSource('store') === 'cli' ? cmd.getOptionValue('store') : usesEnv ? env : undefined;
  if (typeof store === 'string' && /^~|\$/.test(store)) {
    stderr(`shark: error: the store \`${store}\` is taken as written: Shark expands no \`~\` or \`$\` in it, and would make a directory of that name; write the path itself (--store "$HOME/x" lets the shell expand it)\n`);
    throw new ExitError(EXIT_INVALID);
  }
}
