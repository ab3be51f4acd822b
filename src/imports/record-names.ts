import { shownName } from '../printable.js';

/**
 * The names a whole Zenodo record's files take in `DEST/`: each key's last
 * part. Two keys with the same last part (`a/x.csv`, `b/x.csv`) would write
 * one file over the other, and a key that is no file name (`.`, `..`, empty,
 * a NUL byte) has nowhere to go: either fails the import, naming the keys,
 * rather than importing fewer files than the pin's `files` counts.
 */
export class RecordNames {
  private readonly taken = new Map<string, string>();

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
    if (name === '' || name === '.' || name === '..' || name.includes('\0')) {
      return { ok: false, message: `Zenodo record ${this.record} has a file named ${JSON.stringify(key)}, which is no file name in DEST/; nothing was imported` };
    }
    const other = this.taken.get(name);
    if (other !== undefined) {
      return {
        ok: false,
        message: `Zenodo record ${this.record} has two files that would both be DEST/${shownName(name)}: \`${shownName(other)}\` and \`${shownName(key)}\`; `
          + `import them one at a time, each to a name of its own (\`zenodo:${this.record}/${shownName(other)} /data/NAME\`)`,
      };
    }
    this.taken.set(name, key);
    return { ok: true, name };
  }
}
