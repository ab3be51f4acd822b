import type { SnapshotId, TreeEntry } from './snapshot-store.js';

/**
 * A tree's stored text read the way Shark writes it (`JSON.stringify` of
 * its sorted `{"name":…,"id":…}` entries) without `JSON.parse`: the ids
 * taken as slices of the text, names decoded only when escaped. A
 * 1,000,000-entry tree (100 MB) is read in about half the time, and no
 * name is interned (`JSON.parse` interns short strings: a million names
 * in V8's string table). Any other text, damaged or hand-made, gives
 * undefined: the caller parses it as JSON, which then judges it.
 */
export function treeEntriesOf(text: string): TreeEntry[] | undefined {
  const entries: TreeEntry[] = [];
  const read = scan(text, (raw, id) => {
    const name = decoded(raw);
    return name !== undefined && entries.push({ name, id }) > 0;
  });
  return read ? entries : undefined;
}

/** The ids of a tree's entries, in order, from its stored text as `treeEntriesOf` reads it. */
export function treeIdsOf(text: string): SnapshotId[] | undefined {
  const ids: SnapshotId[] = [];
  return scan(text, (_name, id) => ids.push(id) > 0) ? ids : undefined;
}

const OPEN = '{"name":"';
const BETWEEN = '","id":"';
const BRACKET = 0x5b;
const BRACE = 0x7d;
const COMMA = 0x2c;
const CLOSE = 0x5d;

/**
 * Gives each entry's raw name (as escaped in the text) and id to `each`
 * (which says whether it could take them); false as soon as one could not,
 * or the text is not exactly what `JSON.stringify` writes of
 * such entries. Inside a JSON string every `"` is escaped, so the first
 * `","id":"` after a name's start ends that name; an id holding an escape
 * (a link's target may) is left to `JSON.parse`, as is a control character
 * anywhere (`JSON.stringify` escapes them; JSON refuses them in a string).
 */
function scan(text: string, each: (name: string, id: SnapshotId) => boolean): boolean {
  if (text === '[]') return true;
  if (text.charCodeAt(0) !== BRACKET || CONTROL.test(text)) return false;
  for (let at = 1; ;) {
    if (!text.startsWith(OPEN, at)) return false;
    const nameStart = at + OPEN.length;
    const nameEnd = text.indexOf(BETWEEN, nameStart);
    if (nameEnd < 0) return false;
    const idStart = nameEnd + BETWEEN.length;
    const idEnd = text.indexOf('"', idStart);
    if (idEnd < 0 || text.charCodeAt(idEnd + 1) !== BRACE) return false;
    const id = text.slice(idStart, idEnd);
    if (id.includes('\\')) return false;
    if (!each(text.slice(nameStart, nameEnd), id as SnapshotId)) return false;
    const next = text.charCodeAt(idEnd + 2);
    if (next === CLOSE) return idEnd + 3 === text.length;
    if (next !== COMMA) return false;
    at = idEnd + 3;
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

/** A name as it was before `JSON.stringify` escaped it; undefined when its escapes are not JSON's (a damaged text). */
function decoded(raw: string): string | undefined {
  // An unescaped quote (a damaged text) is refused by `JSON.parse` too.
  if (!raw.includes('\\') && !raw.includes('"')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
