import { posix } from 'node:path';
import { fixedPathProblem, isUnder, NAME_MAX, normaliseDataPath, overlongName } from './data-path.js';
import { DEFAULT_STORE } from './publish-targets.js';

export type ImportSource =
  | { readonly scheme: 'zenodo'; readonly record: string; readonly file: string | undefined }
  | { readonly scheme: 'github'; readonly owner: string; readonly repo: string; readonly ref: string; readonly path: string | undefined }
  | { readonly scheme: 'git'; readonly url: string; readonly ref: string | undefined }
  | { readonly scheme: 'url'; readonly url: string }
  | { readonly scheme: 'file'; readonly path: string };

export interface Checksum {
  readonly algorithm: 'md5' | 'sha256';
  readonly hex: string;
}

/** One line of a `shark-import` block: `SOURCE DEST [md5:…|sha256:…] [extract]`. */
export interface ImportClause {
  readonly source: ImportSource;
  /** The source as written. */
  readonly raw: string;
  readonly dest: string;
  readonly destIsDir: boolean;
  readonly checksum: Checksum | undefined;
  /** Unpack a `.zip`/`.tar.gz`/`.tgz`/`.tar` archive into DEST. */
  readonly extract: boolean;
}

/** Column (0-based offset in the line) of the part a problem is about. */
export type ClauseResult = { ok: true; clause: ImportClause } | { ok: false; message: string; offset: number };

const RECORD = /^\d+$/;

export function parseImportLine(line: string): ClauseResult {
  const parts: { text: string; offset: number }[] = [];
  for (const m of line.matchAll(/\S+/g)) {
    if (m[0].startsWith('#')) break;
    parts.push({ text: m[0], offset: m.index });
  }
  const [src, dst, ...rest] = parts;
  if (src === undefined) return { ok: false, message: 'empty import line', offset: 0 };
  if (dst === undefined) {
    return { ok: false, message: 'an import line needs a source and a destination: SOURCE /data/DEST', offset: src.offset };
  }
  const spaced = spacedSource(line, parts);
  if (spaced !== undefined) return { ok: false, message: spaced, offset: src.offset };
  const source = parseSource(src.text);
  if (!source.ok) return { ok: false, message: source.message, offset: src.offset + (source.at ?? 0) };
  const store = source.source.scheme === 'file' ? storeInSource(source.source.path) : undefined;
  if (store !== undefined) {
    return { ok: false, message: `local import \`${src.text}\` ${store} the store directory ${DEFAULT_STORE}: ${STORE_CHANGES}`, offset: src.offset };
  }
  if (!dst.text.startsWith('/')) {
    return { ok: false, message: `import destination \`${dst.text}\` must be an absolute /data/... path`, offset: dst.offset };
  }
  const dest = normaliseDataPath(dst.text);
  if (!dest.ok) return { ok: false, message: `import destination ${dest.message}`, offset: dst.offset };
  const literal = fixedPathProblem(dst.text, 'an import destination');
  if (literal !== undefined) return { ok: false, message: literal.message, offset: dst.offset + literal.offset };
  // No file system takes such a name: said here, not as the store's ENAMETOOLONG when the import runs.
  const long = overlongName(dst.text);
  if (long !== undefined) {
    return { ok: false, message: `import destination name \`${long.name}\` is longer than a file name can be (${Buffer.byteLength(long.name)} bytes, at most ${NAME_MAX})`, offset: dst.offset + long.offset };
  }

  let checksum: Checksum | undefined;
  let checksumOffset = 0;
  let extract = false;
  for (const part of rest) {
    const sum = /^(md5|sha256):([0-9a-fA-F]+)$/.exec(part.text);
    if (sum !== null) {
      const algorithm = sum[1] as 'md5' | 'sha256';
      const want = algorithm === 'md5' ? 32 : 64;
      if (sum[2]!.length !== want) {
        return { ok: false, message: `${algorithm} checksum must have ${want} hex digits, not ${sum[2]!.length}`, offset: part.offset };
      }
      if (checksum !== undefined) return { ok: false, message: 'give one checksum per import line', offset: part.offset };
      checksum = { algorithm, hex: sum[2]!.toLowerCase() };
      checksumOffset = part.offset;
    } else if (part.text === 'extract') {
      extract = true;
    } else {
      return { ok: false, message: `unexpected \`${part.text}\`: after the destination come an optional md5:… or sha256:… checksum and \`extract\``, offset: part.offset };
    }
  }
  const wholeRecord = source.source.scheme === 'zenodo' && source.source.file === undefined;
  // A whole repository is a directory; a PATH inside one may be a file or a directory, as DEST says.
  const tree = (source.source.scheme === 'github' && source.source.path === undefined) || source.source.scheme === 'git';
  if ((wholeRecord || extract) && !dest.path.isDir) {
    const why = extract ? 'an extracted archive' : 'a whole Zenodo record';
    return { ok: false, message: `${why} is imported into a directory: write the destination as \`${dst.text}/\``, offset: dst.offset };
  }
  if (checksum !== undefined && (wholeRecord || tree)) {
    return { ok: false, message: 'a checksum pins one file; this source is a directory (it is identified by its record or commit)', offset: checksumOffset };
  }
  return {
    ok: true,
    clause: {
      source: source.source,
      raw: src.text,
      dest: dest.path.text,
      destIsDir: dest.path.isDir || tree,
      checksum,
      extract,
    },
  };
}

/** `at`: where in the source the problem is, when not at its start. */
function parseSource(text: string): { ok: true; source: ImportSource } | { ok: false; message: string; at?: number } {
  let m: RegExpExecArray | null;
  if ((m = /^zenodo:([^/]+)(?:\/(.+))?$/.exec(text)) !== null) {
    if (!RECORD.test(m[1]!)) return { ok: false, message: `Zenodo record id must be a number, not \`${m[1]}\`` };
    return { ok: true, source: { scheme: 'zenodo', record: m[1]!, file: m[2] } };
  }
  if ((m = /^(?:doi:|https?:\/\/(?:dx\.)?doi\.org\/)10\.5281\/zenodo\.(\d+)$/.exec(text)) !== null) {
    return { ok: true, source: { scheme: 'zenodo', record: m[1]!, file: undefined } };
  }
  if (text.startsWith('doi:')) return { ok: false, message: `only Zenodo DOIs (doi:10.5281/zenodo.RECORD) can be imported, not \`${text}\`` };
  if ((m = /^https?:\/\/(?:www\.)?zenodo\.org\/records?\/(\d+)\/files\/([^?#]+)(?:\?.*)?$/.exec(text)) !== null) {
    return { ok: true, source: { scheme: 'zenodo', record: m[1]!, file: decodeUrlPath(m[2]!) } };
  }
  if ((m = /^github:([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)(?:@([^/]+))?(?:\/(.+))?$/.exec(text)) !== null) {
    if (m[3] === undefined) return { ok: false, message: `pin a ref: \`github:${m[1]}/${m[2]}@REF\` (a branch, tag or commit)` };
    // Resolved only against the fetched tree, `..` passed check and failed (or climbed) at run time.
    const climb = m[4] === undefined ? -1 : `/${m[4]}/`.indexOf('/../');
    if (climb >= 0) {
      return { ok: false, at: text.length - m[4]!.length + climb, message: `the path \`${m[4]}\` in a GitHub source may not hold \`..\`: name a path inside the repository` };
    }
    return { ok: true, source: { scheme: 'github', owner: m[1]!, repo: m[2]!.replace(/\.git$/, ''), ref: m[3], path: m[4] } };
  }
  if (text.startsWith('github:')) return { ok: false, message: `malformed GitHub source \`${text}\`: expected github:OWNER/REPO@REF[/PATH]` };
  if ((m = /^https:\/\/github\.com\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)\.git(?:[#@](.+))?$/.exec(text)) !== null) {
    return { ok: true, source: { scheme: 'github', owner: m[1]!, repo: m[2]!, ref: m[3] ?? 'HEAD', path: undefined } };
  }
  if ((m = /^((?:https?|git|ssh|file):\/\/.+?\.git|[\w.-]+@[\w.-]+:.+?\.git)(?:[#@]([^@]+))?$/.exec(text)) !== null) {
    return { ok: true, source: { scheme: 'git', url: m[1]!, ref: m[2] } };
  }
  if (/^https?:\/\/[^/\s]+/.test(text)) {
    const bad = unusableUrl(text);
    return bad === undefined ? { ok: true, source: { scheme: 'url', url: text } } : { ok: false, ...bad };
  }
  if (text.startsWith('file:')) return fileSource(text);
  if (/^https?:/i.test(text)) return { ok: false, message: `\`${text}\` is not a URL that can be downloaded: write http://HOST/PATH or https://HOST/PATH` };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  if (scheme !== null) {
    return { ok: false, message: `unknown import scheme \`${scheme[1]}:\`: use https://, zenodo:, doi:, github:, a .git URL, file: or a local path` };
  }
  return { ok: true, source: { scheme: 'file', path: text } };
}

/**
 * Why a web URL cannot be downloaded, said at check: it passed check and
 * `plan`, and failed only when the import ran (exit 1, `invalid URL`), or,
 * with port 0, was sent to port 80. A secret's `%{NAME}` stands for a value
 * not known here.
 */
function unusableUrl(text: string): { message: string; at?: number } | undefined {
  const port = /^https?:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)(?=[/?#]|$)/.exec(text);
  if (port !== null && (Number(port[1]) < 1 || Number(port[1]) > 65535)) {
    return { at: port[0].length - port[1]!.length, message: `port ${port[1]} in \`${text}\` is not a port (1 to 65535)` };
  }
  try {
    new URL(text.replace(/%\{[^}]*\}/g, 'x'));
    return undefined;
  } catch (e) {
    return { message: `\`${text}\` is not a URL that can be downloaded (${(e as Error).message})` };
  }
}

/**
 * A `file:` source: `file:PATH`, or a URL `file:///PATH` or
 * `file://localhost/PATH` (RFC 8089). A URL naming another host is refused:
 * `file://otherhost/x` was read as the local path `/otherhost/x`.
 */
function fileSource(text: string): { ok: true; source: ImportSource } | { ok: false; message: string; at?: number } {
  const url = /^file:\/\/([^/]*)(.*)$/.exec(text);
  const host = url?.[1] ?? '';
  if (host !== '' && host.toLowerCase() !== 'localhost') {
    return { ok: false, at: 'file://'.length, message: `\`${text}\` names a file on the host \`${host}\`: only this machine's files are imported: write \`file:///PATH\`, or \`file:PATH\` relative to the document` };
  }
  const raw = url === null ? text.slice('file:'.length) : url[2]!;
  const start = text.length - raw.length;
  // Decoded, a NUL byte no file name holds: said where it is (it was looked for as a file, and not found).
  const nul = raw.indexOf('%00');
  if (nul >= 0) return { ok: false, at: start + nul, message: `\`%00\` in \`${text}\` is a NUL byte, which no file name holds` };
  const path = decodeUrlPath(raw);
  if (path === '') return { ok: false, message: 'empty file: path' };
  return { ok: true, source: { scheme: 'file', path } };
}

/** Why a local import is refused that holds the store, is it or is inside it (here and `store-inputs.ts`). */
export const STORE_CHANGES = 'what it holds changes as Shark works; import a directory apart from the store';

/**
 * How a relative local source stands to the default store, by the path as
 * written: `.` (or `..`) holds it, so a copy of the source would be a copy
 * of the store, made into a job's workspace inside the store. Links, an
 * absolute path and `--store` are the session's to see (`store-inputs.ts`).
 */
function storeInSource(path: string): 'holds' | 'is' | 'is inside' | undefined {
  if (posix.isAbsolute(path)) return undefined;
  const normal = posix.normalize(path).replace(/\/+$/, '');
  if (/^\.\.?(\/\.\.)*$/.test(normal)) return 'holds';
  return normal === DEFAULT_STORE ? 'is' : isUnder(normal, DEFAULT_STORE) ? 'is inside' : undefined;
}

const HOW = 'a path holding spaces as a file: URI, each space as %20';

/**
 * A source that was meant to hold a space: quoted, escaped with `\`, or
 * bare with its destination further on. Import lines are split at spaces
 * and never unquoted, so the words would otherwise be read as a source and
 * a destination that make no sense; the message gives the URI to write.
 */
function spacedSource(line: string, parts: readonly { text: string; offset: number }[]): string | undefined {
  const src = parts[0];
  const quote = /^["']/.exec(src!.text)?.[0];
  const dest = parts.findIndex((p, i) => i > 0 && p.text.startsWith('/'));
  const parsed = parseSource(src!.text.replace(/\\$/, ''));
  const local = parsed.ok && parsed.source.scheme === 'file';
  if (quote === undefined && !(local && (src!.text.endsWith('\\') || dest > 1))) return undefined;
  let path: string;
  if (quote !== undefined) {
    const close = line.indexOf(quote, src!.offset + 1);
    path = line.slice(src!.offset + 1, close < 0 ? undefined : close);
  } else {
    path = line.slice(src!.offset, dest > 0 ? parts[dest]!.offset : undefined).trimEnd().replace(/\\(\s)/g, '$1');
  }
  if (!/\s/.test(path)) return `import lines are not quoted: write \`${path}\` (${HOW})`;
  return `import lines are split at spaces: write ${HOW} (\`file:${path.replace(/[%\s]/g, encodeURIComponent)}\`)`;
}

/** `%20` → space; a malformed escape is kept as written rather than thrown. */
function decodeUrlPath(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
