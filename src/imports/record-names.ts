import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NAME_MAX } from '../pipeline/data-path.js';
import { shownName } from '../printable.js';
import { moveInto } from './extract.js';

/** What took a path in DEST/: a file of the record, or a member of one of its archives (`in`). */
interface Taker {
  readonly key: string;
  readonly in: string | undefined;
  readonly directory: boolean;
}

/**
 * The names a whole Zenodo record's files take in `DEST/`: each key's last
 * part. Two keys with the same last part (`a/x.csv`, `b/x.csv`) would write
 * one file over the other, and a key that is no file name (`.`, `..`, empty,
 * a NUL byte, longer than a file name can be) has nowhere to go: either fails the import, naming the keys,
 * rather than importing fewer files than the pin's `files` counts. With
 * `extract`, the members of each archive take their paths too: a member
 * landing where another archive's member or a file already is fails alike.
 */
export class RecordNames {
  private readonly taken = new Map<string, Taker>();

  constructor(private readonly record: string) {}

  /** The first failure taking every key would meet, found before anything is downloaded. */
  static clash(record: string, keys: readonly string[]): { ok: false; message: string } | undefined {
    const names = new RecordNames(record);
    for (const key of keys) {
      const n = names.take(key);
      if (!n.ok) return n;
    }
    return undefined;
  }

  /** The name `key` takes in `DEST/`, unless it is none or another key took it. */
  take(key: string): { ok: true; name: string } | { ok: false; message: string } {
    const name = key.replace(/\\/g, '/').split('/').at(-1)!;
    if (name === '' || name === '.' || name === '..' || name.includes('\0') || Buffer.byteLength(name) > NAME_MAX) {
      return { ok: false, message: `Zenodo record ${this.record} has a file named ${JSON.stringify(key)}, which is no file name in DEST/; nothing was imported` };
    }
    const taken = this.claim(name, { key, in: undefined, directory: false });
    return taken ?? { ok: true, name };
  }

  /**
   * Moves what the archive `key` unpacked into `from` into `into`, unless a
   * path of it is one another file of the record took (directories merge).
   */
  merge(from: string, into: string, key: string): { ok: true } | { ok: false; message: string } {
    const pending = [''];
    for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
      for (const name of readdirSync(join(from, rel))) {
        const path = rel === '' ? name : `${rel}/${name}`;
        const directory = lstatSync(join(from, path)).isDirectory();
        const clash = this.claim(path, { key: path, in: key, directory });
        if (clash !== undefined) return clash;
        if (directory) pending.push(path);
      }
    }
    moveInto(from, into);
    return { ok: true };
  }

  private claim(path: string, by: Taker): { ok: false; message: string } | undefined {
    const other = this.taken.get(path);
    if (other !== undefined && !(other.directory && by.directory)) {
      const first = other.in ?? other.key;
      return {
        ok: false,
        message: `Zenodo record ${this.record} has two files that would both be DEST/${shownName(path)}: ${shown(other)} and ${shown(by)}; `
          + `import them one at a time, each to a name of its own (\`zenodo:${this.record}/${shownName(first)} /data/NAME${other.in === undefined ? '' : '/ extract'}\`)`,
      };
    }
    if (other === undefined) this.taken.set(path, by);
    return undefined;
  }
}

function shown(t: Taker): string {
  return t.in === undefined ? `\`${shownName(t.key)}\`` : `\`${shownName(t.key)}\` in \`${shownName(t.in)}\``;
}
