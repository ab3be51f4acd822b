import { readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Checksum, ImportClause } from '../pipeline/import-clause.js';
import { mismatch, parseChecksum, sumFile, type Expected } from './checksum.js';
import { refuse } from './archive-members.js';
import { escapingEntry } from './contained.js';
import { archiveKind, extractArchive } from './extract.js';
import { download } from './download.js';
import { describeFailure, getJson, sizeMismatch, type HttpTuning } from './http.js';
import type { FetchOutcome, ImportContext, Importer, Pin, ResolveOutcome } from './importer.js';
import { pinOrigin } from './pin.js';
import { shownName } from '../printable.js';
import { placeFile } from './place.js';
import { RecordNames } from './record-names.js';
import { Staging } from './staging.js';
import { treeId } from './tree-hash.js';

interface ZenodoFile {
  readonly key: string;
  /** As the record gives it; the download must be of this size. Undefined when the record gives none. */
  readonly size: number | undefined;
  readonly checksum: Checksum | undefined;
  readonly url: string;
}

interface ZenodoRecord {
  /** The record id the API answered with: differs from the one asked for when that was a concept (all-versions) id. */
  readonly id: string;
  readonly doi: string;
  readonly files: readonly ZenodoFile[];
}

type Source = { readonly record: string; readonly file: string | undefined };

/**
 * `zenodo:RECORD[/FILE]`, `doi:10.5281/zenodo.RECORD` and zenodo.org file
 * URLs, through the records API (`GET {base}/api/records/RECORD`). A record id
 * names one immutable version, so a complete locked pin is trusted without
 * asking Zenodo anything. A concept id (all versions) redirects to the latest
 * version: such pins carry `version` and are re-resolved every time.
 */
export class ZenodoImporter implements Importer {
  constructor(
    private readonly base: string,
    private readonly tuning: HttpTuning = {},
  ) {}

  async resolve(clause: ImportClause, ctx: ImportContext): Promise<ResolveOutcome> {
    const src = sourceOf(clause);
    const locked = ctx.locked;
    if (locked !== undefined && fits(locked, src, clause) && locked.version === undefined && complete(locked, src)) {
      return { ok: true, pin: locked };
    }
    const rec = await this.record(src.record, ctx);
    if (!rec.ok) return rec;
    const pin = metadataPin(rec.record, src);
    if (!pin.ok) return pin;
    // A concept id that still points at the locked version: keep the lock's (complete) pin.
    if (locked !== undefined && fits(locked, src, clause) && complete(locked, src) && sameMetadata(locked, pin.pin)) {
      return { ok: true, pin: locked };
    }
    return pin;
  }

  async fetch(clause: ImportClause, pin: Pin, dest: string, ctx: ImportContext): Promise<FetchOutcome> {
    const src = sourceOf(clause);
    // Download what the pin names: the version id, if the clause named a concept.
    const rec = await this.record(typeof pin.version === 'string' ? pin.version : src.record, ctx);
    if (!rec.ok) return rec;
    const meta = metadataPin(rec.record, src);
    if (!meta.ok) return meta;
    const pinnedBy = pinOrigin(pin, ctx.locked);
    const staging = new Staging(dest);
    try {
      if (src.file !== undefined) {
        const file = rec.record.files.find((f) => f.key === src.file)!;
        const part = staging.path('part');
        const got = await this.download(file, rec.record.id, part, ctx, 0, file.size);
        if (!got.ok) return got;
        const sums = await sumFile(part);
        const expected: Expected[] = [];
        if (clause.checksum !== undefined) expected.push({ ...clause.checksum, from: 'the import clause' });
        if (file.checksum !== undefined) expected.push({ ...file.checksum, from: 'Zenodo' });
        for (const algorithm of ['md5', 'sha256'] as const) {
          const hex = pin[algorithm];
          if (typeof hex === 'string') expected.push({ algorithm, hex, from: pinnedBy });
        }
        const bad = mismatch(fileIn(file, rec.record.id), sums, expected);
        if (bad !== undefined) return { ok: false, message: bad };
        const placed = await placeFile(part, file.key, clause, staging, ctx.signal);
        if (!placed.ok) return placed;
        return { ok: true, pin: { ...meta.pin, md5: sums.md5, sha256: sums.sha256 } };
      }

      // Every file is placed by its name unless unpacked: names that collide fail before any download.
      const clash = clause.extract ? undefined : RecordNames.clash(rec.record.id, rec.record.files.map((f) => f.key));
      if (clash !== undefined) return clash;
      const names = new RecordNames(rec.record.id);
      const dir = staging.dir('record');
      const total = totalSize(rec.record.files);
      let done = 0;
      for (const file of rec.record.files) {
        const part = staging.path('part');
        const got = await this.download(file, rec.record.id, part, ctx, done, total);
        if (!got.ok) return got;
        const sums = await sumFile(part);
        const expected: Expected[] = [];
        if (file.checksum !== undefined) expected.push({ ...file.checksum, from: 'Zenodo' });
        const locked = pin[`md5/${file.key}`];
        if (typeof locked === 'string') expected.push({ algorithm: 'md5', hex: locked, from: pinnedBy });
        const bad = mismatch(fileIn(file, rec.record.id), sums, expected);
        if (bad !== undefined) return { ok: false, message: bad };
        if (clause.extract && archiveKind(part) !== undefined) {
          const unpacked = staging.dir('unpack');
          const r = await extractArchive(part, shownName(file.key), unpacked, ctx.signal);
          if (!r.ok) return r;
          const merged = names.merge(unpacked, dir, file.key);
          if (!merged.ok) return merged;
          // The links of several archives, together in DEST/, are checked again as a whole.
          const out = escapingEntry(dir);
          if (out !== undefined) return refuse(shownName(file.key), out.path, out.why);
        } else {
          const n = names.take(file.key);
          if (!n.ok) return n;
          renameSync(part, join(dir, n.name));
        }
        done += file.size ?? 0;
      }
      if (readdirSync(dir).length === 0 && rec.record.files.length > 0) return { ok: false, message: `nothing was imported from Zenodo record ${src.record}` };
      const tree = treeId(dir);
      if (typeof pin.tree === 'string' && pin.tree !== tree) {
        return { ok: false, message: `Zenodo record ${src.record} unpacked to ${tree}, but ${pinnedBy} says ${pin.tree}` };
      }
      staging.commit(dir);
      return { ok: true, pin: { ...meta.pin, tree } };
    } finally {
      staging.cleanup();
    }
  }

  private async download(file: ZenodoFile, record: string, part: string, ctx: ImportContext, before: number, total: number | undefined):
    Promise<{ ok: true } | { ok: false; message: string }> {
    const r = await download(file.url, part, {
      ...this.tuning,
      signal: ctx.signal,
      progress: (done) => ctx.progress(before + done, total),
      ...(file.size !== undefined ? { size: file.size } : {}),
    });
    if (!r.ok) {
      const f = r.failure;
      if (f.reason === 'status' && f.status === 404) return { ok: false, message: `Zenodo has no content for ${shownName(file.key)} (HTTP 404 from ${f.url})` };
      if (f.reason === 'size') return { ok: false, message: sizeMismatch(fileIn(file, record), f, 'Zenodo') };
      return { ok: false, message: describeFailure(f) };
    }
    return { ok: true };
  }

  private async record(id: string, ctx: ImportContext): Promise<{ ok: true; record: ZenodoRecord } | { ok: false; message: string }> {
    const url = `${this.base.replace(/\/+$/, '')}/api/records/${id}`;
    const r = await getJson(url, { ...this.tuning, signal: ctx.signal });
    if (!r.ok) {
      const f = r.failure;
      if (f.reason === 'status' && f.status === 404) return { ok: false, message: `Zenodo record ${id} does not exist (HTTP 404 from ${url})` };
      if (f.reason === 'status' && f.status === 410) return { ok: false, message: `Zenodo record ${id} was removed (HTTP 410 from ${url})` };
      if (f.reason === 'status' && (f.status === 401 || f.status === 403)) return { ok: false, message: `Zenodo record ${id} is restricted (HTTP ${f.status} from ${url})` };
      return { ok: false, message: describeFailure(f) };
    }
    return parseRecord(r.value, id, this.base);
  }
}

/** How messages name a file of a record: `data.csv in Zenodo record 1001`. */
function fileIn(file: ZenodoFile, record: string): string {
  return `${shownName(file.key)} in Zenodo record ${record}`;
}

/** The record's size, when it gives every file's. */
function totalSize(files: readonly ZenodoFile[]): number | undefined {
  return files.every((f) => f.size !== undefined) ? files.reduce((n, f) => n + f.size!, 0) : undefined;
}

function sourceOf(clause: ImportClause): Source {
  if (clause.source.scheme !== 'zenodo') throw new Error(`ZenodoImporter given a ${clause.source.scheme} source`);
  return { record: clause.source.record, file: clause.source.file };
}

function parseRecord(data: unknown, asked: string, base: string): { ok: true; record: ZenodoRecord } | { ok: false; message: string } {
  const d = data as { id?: unknown; recid?: unknown; doi?: unknown; files?: unknown };
  if (typeof d !== 'object' || d === null) return { ok: false, message: `Zenodo answered for record ${asked} with something that is not a record` };
  const id = String(d.id ?? d.recid ?? asked);
  // The id is shown in messages and asked for again by a pin: only digits, as Zenodo's are.
  if (!/^\d+$/.test(id)) return { ok: false, message: `Zenodo answered for record ${asked} with the record id ${shownName(id)}, which is not one` };
  const doi = typeof d.doi === 'string' && d.doi !== '' ? d.doi : `10.5281/zenodo.${id}`;
  if (!Array.isArray(d.files)) return { ok: false, message: `Zenodo record ${asked} has no public files` };
  const files: ZenodoFile[] = [];
  for (const raw of d.files as unknown[]) {
    const f = raw as { key?: unknown; filename?: unknown; size?: unknown; filesize?: unknown; checksum?: unknown; links?: { self?: unknown; content?: unknown; download?: unknown } };
    const key = typeof f.key === 'string' ? f.key : typeof f.filename === 'string' ? f.filename : undefined;
    if (key === undefined) continue;
    const link = [f.links?.content, f.links?.self, f.links?.download].find((l): l is string => typeof l === 'string' && l.endsWith('/content'))
      ?? (typeof f.links?.self === 'string' ? f.links.self : undefined)
      ?? `${base.replace(/\/+$/, '')}/api/records/${id}/files/${encodeURIComponent(key)}/content`;
    const size = f.size ?? f.filesize;
    files.push({ key, size: Number.isSafeInteger(size) && (size as number) >= 0 ? size as number : undefined, checksum: parseChecksum(f.checksum), url: link });
  }
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { ok: true, record: { id, doi, files } };
}

/** What the API says about the source, before any byte is downloaded. */
function metadataPin(rec: ZenodoRecord, src: Source): { ok: true; pin: Pin } | { ok: false; message: string } {
  const head: Record<string, string | number> = { source: 'zenodo', doi: rec.doi, record: src.record };
  if (rec.id !== src.record) head.version = rec.id;
  if (src.file !== undefined) {
    const file = rec.files.find((f) => f.key === src.file);
    if (file === undefined) {
      const names = rec.files.map((f) => shownName(f.key));
      const shown = names.length === 0 ? 'it has no public files' : `it has ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`;
      return { ok: false, message: `Zenodo record ${src.record} has no file \`${shownName(src.file)}\` (${shown})` };
    }
    const pin: Record<string, string | number> = { ...head, file: file.key };
    if (file.size !== undefined) pin.size = file.size;
    if (file.checksum !== undefined) pin[file.checksum.algorithm] = file.checksum.hex;
    return { ok: true, pin };
  }
  if (rec.files.length === 0) return { ok: false, message: `Zenodo record ${src.record} has no public files` };
  const pin: Record<string, string | number> = { ...head, files: rec.files.length, size: totalSize(rec.files) ?? 0 };
  for (const f of rec.files) if (f.checksum?.algorithm === 'md5') pin[`md5/${f.key}`] = f.checksum.hex;
  return { ok: true, pin };
}

/** Whether a locked pin is about this clause (the clause may have been edited since). */
function fits(locked: Pin, src: Source, clause: ImportClause): boolean {
  if (locked.source !== 'zenodo' || locked.record !== src.record || locked.file !== src.file) return false;
  const sum = clause.checksum;
  return sum === undefined || locked[sum.algorithm] === sum.hex;
}

/** A pin written after a successful fetch, not just the metadata of a plan. */
function complete(locked: Pin, src: Source): boolean {
  return src.file !== undefined ? typeof locked.sha256 === 'string' : typeof locked.tree === 'string';
}

function sameMetadata(locked: Pin, meta: Pin): boolean {
  return Object.entries(meta).every(([k, v]) => locked[k] === v);
}
