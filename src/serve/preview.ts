import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { SnapshotId, SnapshotStore } from '../store/snapshot-store.js';
import { geoJsonSvg, isGeoJson } from './geojson-svg.js';
import { esc, formatBytes, listing, objectHref } from './html.js';
import { counted } from '../counted.js';

const TEXT_BYTES = 64 * 1024;
const JSON_BYTES = 4 * 1024 * 1024;
const TABLE_ROWS = 50;
const IMAGES = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp']);

function extOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The type a stored object is served as: images as themselves, anything else that reads as text as plain text. */
export function contentType(name: string, head: Buffer): string {
  const ext = extOf(name);
  if (ext === 'png') return 'image/png';
  if (ext === 'jpg' || ext === 'jpeg') return 'image/jpeg';
  if (ext === 'gif') return 'image/gif';
  if (ext === 'webp') return 'image/webp';
  if (ext === 'svg') return 'image/svg+xml';
  return isText(head) ? 'text/plain; charset=utf-8' : 'application/octet-stream';
}

/**
 * Whether `head`, the first bytes of a file (all of it when `whole`), is
 * UTF-8 text: a character cut at its end is held, not judged (cutting three
 * bytes off a whole file split its last `°` or `ü`, and the file read as binary).
 */
function isText(head: Buffer, whole = false): boolean {
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !whole });
    return true;
  } catch {
    return false;
  }
}

export function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** CSV with quotes ("a, b" and "" inside), or TSV: the rows of `text`. */
export function parseDelimited(text: string, sep: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"', i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '' && sep === ',') quoted = true;
    else if (c === sep) (row.push(cell), (cell = ''));
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      (row = []), (cell = '');
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) (row.push(cell), rows.push(row));
  return rows;
}

function table(text: string, sep: string, whole: boolean): string {
  const rows = parseDelimited(text, sep);
  // A header longer than what is read (8,000 columns): not an empty table, which it said.
  if (!whole && rows.length <= 1) return `<p class="table-meta">its first line is longer than the ${formatBytes(TEXT_BYTES)} a preview reads: no table is shown (download it)</p>`;
  // A cut file's last line may be cut too.
  if (!whole) rows.pop();
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const shown = rows.slice(0, TABLE_ROWS);
  // The first row is shown as the header: the count is of the rows below it, as a table's reader counts them.
  const data = counted(Math.max(0, rows.length - 1), 'row');
  const count = rows.length === 0 ? 'empty' : whole ? `a header and ${data}` : `a header and the first ${data} read`;
  const body = shown.map((r, i) => `<tr>${r.map((c) => (i === 0 ? `<th>${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('\n');
  return `<p class="table-meta">${columns} column${columns === 1 ? '' : 's'}, ${count}${rows.length > TABLE_ROWS ? `, first ${TABLE_ROWS} shown` : ''}</p>
<div class="table-scroll"><table class="preview-table">${body}</table></div>`;
}

/**
 * The host file of a stored file's bytes, sound; undefined when the store
 * keeps no such files (ZFS) or `gc` freed them. Bytes missing or damaged
 * otherwise throw as a vanished file does (`EIO`), so the page says so (500,
 * advising `shark fsck`) rather than showing, or leaving out, a result.
 */
export function storedFile(store: SnapshotStore, id: SnapshotId): string | undefined {
  if (store.objectPath === undefined) return undefined;
  const file = store.objectPath(id);
  if (file !== undefined || !id.startsWith('sha256') || store.freed?.(id) !== undefined) return file;
  throw Object.assign(new Error(`the stored bytes of ${id} are missing or damaged`), { code: 'EIO' });
}

/** A preview of one stored piece of data, by the name it has in the pipeline. */
export function preview(store: SnapshotStore, id: SnapshotId, path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const entries = store.entries(id);
  if (entries !== undefined) {
    return `<p>directory of ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}</p>${listing(path, entries.map((e) => ({ name: e.name, dir: e.id.startsWith('tree:') })))}`;
  }
  if (id.startsWith('link:')) return `<p>symbolic link to <code>${esc(id.slice(5))}</code></p>`;
  const file = storedFile(store, id);
  if (file === undefined) return '<p class="note">The bytes of this result are not available to preview in this store.</p>';
  const size = statSync(file).size;
  const download = `<p class="download">${esc(formatBytes(size))} · <a href="${esc(objectHref(id, name, true))}" download="${esc(name)}">download</a></p>`;
  const ext = extOf(name);
  if (IMAGES.has(ext)) return `${download}<p><img class="preview-image" src="${esc(objectHref(id, name))}" alt="${esc(name)}"></p>`;
  const head = readHead(file, ext === 'json' || ext === 'geojson' ? JSON_BYTES : TEXT_BYTES);
  const whole = head.length >= size;
  if (!isText(head, whole)) return download;
  // A byte order mark (as Excel saves a CSV) is no part of the first cell or line.
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  if (ext === 'csv' || ext === 'tsv') return download + table(text, ext === 'tsv' ? '\t' : ',', whole);
  if ((ext === 'json' || ext === 'geojson') && whole) {
    try {
      // A byte order mark (as some Windows editors save) is no part of the JSON.
      const value = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
      const drawn = isGeoJson(value) ? geoJsonSvg(value) : undefined;
      const pretty = JSON.stringify(value, null, 2);
      const cut = pretty.length > TEXT_BYTES ? `${pretty.slice(0, TEXT_BYTES)}\n…` : pretty;
      return `${download}${drawn === undefined ? '' : `<figure class="geo">${drawn}</figure>`}<pre class="preview-text">${esc(cut)}</pre>`;
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  // JSON was read further, to be parsed: as text it is cut to what text shows.
  const longer = head.length > TEXT_BYTES;
  const shown = longer ? new TextDecoder().decode(head.subarray(0, TEXT_BYTES), { stream: true }) : text;
  return `${download}<pre class="preview-text">${esc(shown)}${whole && !longer ? '' : '\n…'}</pre>`;
}
