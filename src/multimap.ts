/**
 * The list at `key`, made empty and stored first when there is none: what
 * grouping many values by a key appends to (a list copied on every append,
 * `[...(map.get(key) ?? []), value]`, made a sweep's or a map's grouping
 * quadratic).
 */
export function listAt<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (list === undefined) map.set(key, (list = []));
  return list;
}
