import { readFileSync, statSync } from 'node:fs';
import { decodeDocument, MAX_DOCUMENT_BYTES } from '../markdown/source-text.js';

/**
 * Whether the document on disk still is the one the page shows: the page
 * reads it once, at start, so an edit made since (and a run of it, whose
 * jobs have other keys) would be shown against the old text with no word.
 * The file is read again only when its size, time or inode changed.
 */
export class DocumentWatch {
  private seen = '';
  private edited = false;

  constructor(private readonly path: string, private readonly source: string) {}

  /** The document's text on disk differs from the page's (or is gone). */
  changed(): boolean {
    const now = signature(this.path);
    if (now !== this.seen) {
      this.seen = now;
      this.edited = textOf(this.path) !== this.source;
    }
    return this.edited;
  }
}

function signature(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return 'gone';
  }
}

function textOf(path: string): string | undefined {
  try {
    // One too large to be a document is no longer the page's (and is not read whole).
    if (statSync(path).size > MAX_DOCUMENT_BYTES) return undefined;
    const decoded = decodeDocument(path, readFileSync(path));
    return decoded.ok ? decoded.source : undefined;
  } catch {
    return undefined;
  }
}
