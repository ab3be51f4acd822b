/**
 * JSON with object keys sorted by UTF-16 code unit, recursively; arrays keep
 * their order. Equal values give equal text whatever order their keys were
 * built in, so it is what the cache key hashes and what the lock file holds.
 *
 * Written out rather than `JSON.stringify(sortedCopy)`: an object lists
 * integer-like keys ("2", "10") first whatever the insertion order, so a
 * sorted copy is not serialised sorted.
 */
export function canonicalJson(value: unknown, indent = 0): string {
  if (indent === 0) return compact(value, 0) ?? 'null';
  return write(value, ' '.repeat(indent), '') ?? 'null';
}

/**
 * Compact text of objects and arrays already written, by identity: the jobs
 * of one map step share most of their key record (its variables, files,
 * programs), so a 10,000-item plan writes each shared part once. Records are
 * read-only once built.
 */
const written = new WeakMap<object, string>();

function compact(value: unknown, depth: number): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) as string | undefined;
  // Only a record's own members are remembered: deeper parts are rarely shared, and remembering costs.
  const remember = depth === 1;
  const known = remember ? written.get(value) : undefined;
  if (known !== undefined) return known;
  let text: string;
  if (Array.isArray(value)) {
    text = '[';
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + (compact(value[i], depth + 1) ?? 'null');
    text += ']';
  } else {
    text = '{';
    let first = true;
    for (const key of Object.keys(value).sort()) {
      const member = compact((value as Record<string, unknown>)[key], depth + 1);
      if (member === undefined) continue;
      text += `${first ? '' : ','}${JSON.stringify(key)}:${member}`;
      first = false;
    }
    text += '}';
  }
  if (remember) written.set(value, text);
  return text;
}

function write(value: unknown, step: string, at: string): string | undefined {
  if (value === null || typeof value !== 'object') {
    // Primitives as JSON.stringify writes them (undefined and functions: absent; NaN: null).
    return JSON.stringify(value) as string | undefined;
  }
  const inner = at + step;
  const open = step === '' ? '' : `\n${inner}`;
  const close = step === '' ? '' : `\n${at}`;
  const colon = step === '' ? ':' : ': ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v: unknown) => write(v, step, inner) ?? 'null');
    return `[${open}${items.join(`,${open}`)}${close}]`;
  }
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const text = write((value as Record<string, unknown>)[key], step, inner);
    if (text !== undefined) members.push(`${JSON.stringify(key)}${colon}${text}`);
  }
  if (members.length === 0) return '{}';
  return `{${open}${members.join(`,${open}`)}${close}}`;
}
