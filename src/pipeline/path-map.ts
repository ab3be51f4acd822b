import { parentOf } from './data-path.js';

/**
 * Values by /data path, with the paths below a directory found without
 * asking every path: a sweep of thousands of steps asked each path ever
 * written whether it was inside, for every path each step reads or writes.
 * Iteration keeps a `Map`'s order (first set, or set again after a delete).
 */
export class PathMap<V> {
  private readonly values = new Map<string, V>();
  private readonly below = new Map<string, Set<string>>();

  get(path: string): V | undefined {
    return this.values.get(path);
  }

  has(path: string): boolean {
    return this.values.has(path);
  }

  set(path: string, value: V): void {
    if (!this.values.has(path)) {
      for (let dir = parentOf(path); dir.length > 0; dir = parentOf(dir)) {
        let paths = this.below.get(dir);
        if (paths === undefined) this.below.set(dir, (paths = new Set()));
        paths.add(path);
      }
    }
    this.values.set(path, value);
  }

  delete(path: string): void {
    if (!this.values.delete(path)) return;
    for (let dir = parentOf(path); dir.length > 0; dir = parentOf(dir)) this.below.get(dir)?.delete(path);
  }

  /** The paths strictly under `dir` with their values, in the map's order. */
  *under(dir: string): Generator<[string, V]> {
    for (const path of this.below.get(dir) ?? []) yield [path, this.values.get(path)!];
  }
}
