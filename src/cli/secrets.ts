import { readFileSync } from 'node:fs';
import { error, formatReport, warning, type Diagnostic, type Position } from '../diagnostics.js';
import { secretAsVariable, secretGiven, type GivenPlaces } from '../pipeline/given-frontmatter.js';
import { unexportable } from '../markdown/frontmatter-entries.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { readProblem } from '../read-problem.js';
import { displayName, EXIT_INVALID, ExitError } from './load-or-report.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type SecretsFile =
  | { readonly ok: true; readonly values: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }
  /** The file could not be read: `why` (`no such file`, …). */
  | { readonly ok: false; readonly unreadable: string };

/**
 * Reads a secrets file: `NAME=VALUE` lines (an `export ` before the name is
 * allowed), blank lines and `#` comment lines. The value is the rest of the
 * line, taken as written but for one pair of quotes around it; one holding a
 * NUL byte, or opening with a quote it does not end with, is refused, and so
 * is a name given twice. Diagnostics never show the line itself: it may hold a value.
 */
export function readSecretsFile(path: string): SecretsFile {
  const file = displayName(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, unreadable: readProblem(e) };
  }
  const values = new Map<string, string>();
  const firstLine = new Map<string, number>();
  const diagnostics: Diagnostic[] = [];
  text.split('\n').forEach((raw, n) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const at = { line: n + 1, col: line.length - trimmed.length + 1 };
    const body = trimmed.startsWith('export ') ? trimmed.slice('export '.length).trimStart() : trimmed;
    const eq = body.indexOf('=');
    const name = eq < 0 ? '' : body.slice(0, eq);
    if (!NAME.test(name)) {
      diagnostics.push(error(file, at, 'expected NAME=VALUE (a variable name, `=`, the value), or a # comment'));
      return;
    }
    // A second value would silently win: which one the user meant is theirs to say.
    const first = firstLine.get(name);
    if (first !== undefined) {
      diagnostics.push(error(file, { line: at.line, col: line.length - body.length + 1 }, `\`${name}\` is given twice (first at line ${first})`));
      return;
    }
    firstLine.set(name, at.line);
    const written = body.slice(eq + 1);
    const valueCol = line.length - written.length + 1;
    const quoting = unbalancedQuote(written);
    if (quoting !== undefined) {
      diagnostics.push(error(file, { line: at.line, col: valueCol + quoting.offset }, quoting.message));
      return;
    }
    const value = /^(["']).*\1$/s.test(written) && written.length >= 2 ? written.slice(1, -1) : written;
    // Refused here, where the file says it: Node would refuse it at every job, printing the value.
    const unfit = unexportable(name, value, 'secret');
    if (unfit !== undefined) {
      diagnostics.push(error(file, { line: at.line, col: valueCol }, unfit));
      return;
    }
    values.set(name, value);
  });
  return diagnostics.length > 0 ? { ok: false, diagnostics } : { ok: true, values };
}

/**
 * What is wrong with a value that opens with a quote but does not end with it (its offset in the
 * value): the quote would silently be part of the value, which is a credential no one can see.
 */
function unbalancedQuote(written: string): { offset: number; message: string } | undefined {
  const quote = written[0];
  if ((quote !== '"' && quote !== "'") || (written.length >= 2 && written.endsWith(quote))) return undefined;
  const close = written.lastIndexOf(quote);
  if (close <= 0) {
    return { offset: 0, message: `the quote \`${quote}\` opening this value is never closed: the value is the rest of the line, so end it with \`${quote}\`` };
  }
  return {
    offset: close + 1,
    message: `text after the closing quote \`${quote}\`: the value is the rest of the line, quotes and all, unless one pair of quotes is around all of it`,
  };
}

/**
 * The secrets options as every command that takes them checks them: the
 * `--secrets` file read (one that cannot be read, or a malformed line, exit
 * 2), and no secret's name given with `-e` (exit 2, the value never shown):
 * `-e` values enter the cache key and lineage. The file's values; none without one.
 */
export function givenSecrets(
  pipeline: Pipeline,
  secretsFile: string | undefined,
  overrides: ReadonlyMap<string, string>,
  stderr: (s: string) => void,
  /** Where a config file gave `-e` values: a secret given there is located there. */
  places?: GivenPlaces,
): ReadonlyMap<string, string> | undefined {
  const fromFile = secretsFile === undefined ? undefined : readSecretsFile(secretsFile);
  if (fromFile !== undefined && !fromFile.ok) {
    if ('diagnostics' in fromFile) stderr(formatReport(fromFile.diagnostics, () => undefined));
    else stderr(`${unreadable(secretsFile!, fromFile.unreadable, places)}\n`);
    throw new ExitError(EXIT_INVALID);
  }
  for (const s of pipeline.document.frontmatter?.secrets ?? []) {
    if (overrides.has(s.name)) {
      const at = places?.env.get(s.name);
      stderr(at === undefined ? `shark: error: -e ${s.name}=…: ${secretAsVariable(s.name)}\n` : formatReport([secretGiven(places!, 'env', s.name, at)], () => places!.source));
      throw new ExitError(EXIT_INVALID);
    }
  }
  return fromFile?.values;
}

/**
 * The values of the document's `secrets:`, from the secrets file when it
 * names them, else from Shark's environment, the options checked first
 * (`givenSecrets`). For `run` a missing one (or an empty one) is an error
 * before anything runs; for `plan` a warning.
 */
export function secretValues(
  pipeline: Pipeline,
  secretsFile: string | undefined,
  overrides: ReadonlyMap<string, string>,
  purpose: 'read' | 'run',
  stderr: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  /** Where a config file gave `-e` values: a secret given there is located there. */
  places?: GivenPlaces,
  /** Where a secret not set is put, to be reported with the document's other problems, instead of printed here. */
  collect?: Diagnostic[],
): Map<string, string> {
  const declared = pipeline.document.frontmatter?.secrets ?? [];
  const fromFile = givenSecrets(pipeline, secretsFile, overrides, stderr, places);
  const values = new Map<string, string>();
  const problems: Diagnostic[] = [];
  const file = pipeline.document.file;
  for (const s of declared) {
    const value = fromFile?.get(s.name) ?? env[s.name];
    if (value === undefined || value === '') {
      const message = `secret \`${s.name}\` is not set: export it, or give it in a file with --secrets FILE`;
      problems.push(purpose === 'run' ? error(file, s.at, message) : warning(file, s.at, message));
      continue;
    }
    values.set(s.name, value);
  }
  if (collect !== undefined) return (collect.push(...problems), values);
  stderr(formatReport(problems, () => pipeline.document.source));
  if (problems.some((d) => d.severity === 'error')) throw new ExitError(EXIT_INVALID);
  return values;
}

/** A secrets file that cannot be read: located at shark.yaml's `secrets:` when that named it, else named itself. */
function unreadable(path: string, why: string, places: GivenPlaces | undefined): string {
  const file = displayName(path);
  if (places?.secrets === undefined) return `${file}: error: cannot read the secrets file: ${why}`;
  return formatReport([unreadableAt(path, why, places.secrets, places)], () => places.source).trimEnd();
}

function unreadableAt(path: string, why: string, at: Position, places: GivenPlaces): Diagnostic {
  return error(places.file, at, `\`secrets\`: cannot read the secrets file ${displayName(path)}: ${why}`);
}


/** What the config file gave that the secrets refute: a `secrets:` file that cannot be read, a secret under `env:`. */
export function configSecretProblems(pipeline: Pipeline, secretsFile: string | undefined, places: GivenPlaces): Diagnostic[] {
  const found: Diagnostic[] = [];
  const read = secretsFile === undefined || places.secrets === undefined ? undefined : readSecretsFile(secretsFile);
  if (read !== undefined && !read.ok && 'unreadable' in read) found.push(unreadableAt(secretsFile!, read.unreadable, places.secrets!, places));
  for (const s of pipeline.document.frontmatter?.secrets ?? []) {
    const at = places.env.get(s.name);
    if (at !== undefined) found.push(secretGiven(places, 'env', s.name, at));
  }
  return found;
}
