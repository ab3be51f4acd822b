import { contentId } from '../store/content-id.js';
import { hashFileSync } from '../store/hash.js';

/**
 * The identity of an imported tree: the content id the store will give the
 * same directory (`tree:…`), so a GitHub or git import's `tree` pin is the
 * snapshot id downstream steps see. Archive bytes are not stable (GitHub
 * regenerates tarballs); the extracted tree is.
 */
export function treeId(path: string): string {
  return contentId(path, hashFileSync).id;
}
