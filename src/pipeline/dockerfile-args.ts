/**
 * The `ARG`s a Dockerfile declares before its first `FROM`, and the
 * substitution Docker makes with them in a `FROM` reference (`ARG IMG=…`,
 * `FROM $IMG`). Shark passes no build arguments, so an ARG's value is its
 * default; Shark must know it because it resolves, locks and pins the bases
 * itself rather than leaving them to the builder.
 */

/** Declared ARGs by name: the default, or undefined for one declared without (unset, as in Docker). */
export type MetaArgs = ReadonlyMap<string, string | undefined>;

export type Expanded =
  | { readonly ok: true; readonly value: string; readonly unset: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Adds the declarations of one `ARG` instruction (`ARG A=1 B="x y" C`) to
 * `args`; a default may use the ARGs declared before it, as in Docker.
 */
export function declareArgs(text: string, args: Map<string, string | undefined>): { ok: true } | { ok: false; message: string } {
  for (const word of words(text)) {
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { ok: false, message: `ARG ${word}: \`${name}\` is not a variable name` };
    if (eq < 0) {
      if (!args.has(name)) args.set(name, undefined);
      continue;
    }
    const value = expandWord(word.slice(eq + 1), args);
    if (!value.ok) return { ok: false, message: `ARG ${word}: ${value.message}` };
    args.set(name, value.value);
  }
  return { ok: true };
}

/**
 * One word as Docker's shell lexer reads it: quotes removed, `\` escapes,
 * `$NAME`, `${NAME}`, `${NAME:-DEFAULT}`, `${NAME-DEFAULT}`, `${NAME:+VALUE}`
 * and `${NAME+VALUE}` replaced. `unset` lists the variables named plainly
 * that had no value (they gave the empty string).
 */
export function expandWord(word: string, args: MetaArgs): Expanded {
  let out = '';
  const unset: string[] = [];
  let quote: '"' | "'" | undefined;
  let i = 0;
  while (i < word.length) {
    const ch = word[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else out += ch;
      i++;
    } else if (ch === '\\' && i + 1 < word.length) {
      const next = word[i + 1]!;
      // Inside double quotes a backslash escapes only what would otherwise be special there.
      out += quote === '"' && !['"', '$', '\\'].includes(next) ? ch + next : next;
      i += 2;
    } else if ((ch === '"' || ch === "'") && quote === undefined) {
      quote = ch;
      i++;
    } else if (ch === '"' && quote === '"') {
      quote = undefined;
      i++;
    } else if (ch === '$') {
      const sub = substitution(word, i, args, unset);
      if (!sub.ok) return sub;
      out += sub.value;
      i = sub.end;
    } else {
      out += ch;
      i++;
    }
  }
  if (quote !== undefined) return { ok: false, message: `unterminated ${quote === '"' ? 'double' : 'single'} quote` };
  return { ok: true, value: out, unset };
}

type Substituted = { ok: true; value: string; end: number } | { ok: false; message: string };

/** The `$…` starting at `at`: its value and where the text after it starts. */
function substitution(word: string, at: number, args: MetaArgs, unset: string[]): Substituted {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(word.slice(at + 1));
  if (plain !== null) return { ok: true, value: valueOf(plain[0], args, unset), end: at + 1 + plain[0].length };
  if (word[at + 1] !== '{') return { ok: true, value: '$', end: at + 1 };
  const close = closingBrace(word, at + 2);
  if (close < 0) return { ok: false, message: `unterminated \`${word.slice(at)}\`` };
  const inner = word.slice(at + 2, close);
  const parts = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([\s\S]*))?$/.exec(inner);
  if (parts === null) {
    return { ok: false, message: `unsupported substitution \`\${${inner}}\` (use $NAME, \${NAME}, \${NAME:-DEFAULT} or \${NAME:+VALUE})` };
  }
  const [, name = '', op, rest = ''] = parts;
  const end = close + 1;
  if (op === undefined) return { ok: true, value: valueOf(name, args, unset), end };
  const value = args.get(name);
  const present = op.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
  const useRest = op.endsWith('-') ? !present : present;
  if (!useRest) return { ok: true, value: op.endsWith('-') ? value ?? '' : '', end };
  const nested = expandWord(rest, args);
  if (!nested.ok) return nested;
  unset.push(...nested.unset);
  return { ok: true, value: nested.value, end };
}

function valueOf(name: string, args: MetaArgs, unset: string[]): string {
  const value = args.get(name);
  if (value === undefined) unset.push(name);
  return value ?? '';
}

/** The `}` closing a `${` whose body starts at `from`, counting nested `${…}`; -1 when there is none. */
function closingBrace(word: string, from: number): number {
  let depth = 1;
  for (let i = from; i < word.length; i++) {
    if (word[i] === '\\') i++;
    else if (word[i] === '$' && word[i + 1] === '{') (depth++, i++);
    else if (word[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Splits on whitespace outside quotes, keeping the quotes for expandWord. */
export function words(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === undefined && /\s/.test(ch)) {
      if (current !== '') out.push(current);
      current = '';
      continue;
    }
    if (ch === '\\' && quote !== "'" && i + 1 < text.length) {
      current += ch + text[++i]!;
      continue;
    }
    if (quote === undefined && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = undefined;
    current += ch;
  }
  if (current !== '') out.push(current);
  return out;
}

/** The problem with a `FROM` reference once expanded, if it names no image. */
export function fromProblem(written: string, expanded: Expanded, args: MetaArgs): string | undefined {
  if (!expanded.ok) return `FROM ${written}: ${expanded.message}`;
  if (expanded.value.trim() !== '') return undefined;
  const name = expanded.unset[0];
  if (name === undefined) return `FROM ${written} names no image`;
  if (args.has(name)) return `FROM ${written} names no image: the ARG ${name} has no default (Shark passes no build arguments: write ARG ${name}=IMAGE)`;
  return `FROM ${written} names no image: no ARG ${name} comes before the first FROM (write ARG ${name}=IMAGE there)`;
}

/**
 * A COPY source with the stage's ARGs and ENVs put in, as the builder does:
 * one the stage does not know (an ARG before the first FROM not declared
 * again in it, one without a default) is empty there too.
 */
export function expandedSource(path: string, vars: ReadonlyMap<string, string | undefined>): string {
  if (!path.includes('$')) return path;
  const e = expandWord(path, vars);
  return e.ok ? e.value : path;
}

/**
 * Adds what an `ARG` or `ENV` of a stage sets to its variables: an ARG's
 * default (a bare `ARG NAME` takes the value an ARG before the first FROM
 * gave it), an ENV's value (`ENV K=V …`, or `ENV K V`), each expanded with
 * what came before.
 */
export function stageVariables(
  instruction: 'ARG' | 'ENV', text: string, vars: Map<string, string | undefined>, meta: ReadonlyMap<string, string | undefined>,
  /** The stage's ENVs alone: a later `FROM stage` starts with them (its ARGs stay behind). */
  env?: Map<string, string | undefined>,
): void {
  const all = words(text);
  const pairs = instruction === 'ENV' && all.length > 0 && !all[0]!.includes('=')
    ? [[all[0]!, all.slice(1).join(' ')] as const]
    : all.map((w) => (w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] as const : [w, undefined] as const));
  for (const [name, value] of pairs) {
    // An ENV of the same name wins over an ARG, before it or after (Docker's rule): the ARG leaves it as it is.
    if (instruction === 'ARG' && env?.has(name) === true) continue;
    if (value === undefined) {
      if (!vars.has(name)) vars.set(name, meta.get(name));
      continue;
    }
    const e = expandWord(value, vars);
    vars.set(name, e.ok && e.unset.length === 0 ? e.value : undefined);
    if (instruction === 'ENV') env?.set(name, vars.get(name));
  }
}
