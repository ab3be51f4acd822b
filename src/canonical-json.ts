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
  return write(value, indent > 0 ? ' '.repeat(indent) : '', '') ?? 'null';
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
