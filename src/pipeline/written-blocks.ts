import type { Document, SharkBlock } from '../markdown/document.js';

/**
 * The run blocks of a document as written: a sweep's instances of one block
 * count once, so a warning about its text is given once, not per instance.
 */
export function runBlocksAsWritten(document: Document): SharkBlock[] {
  const seen = new Set<number>();
  return document.blocks.filter((block) => {
    if (block.kind !== 'run') return false;
    const written = block.instance?.of ?? block.index;
    if (seen.has(written)) return false;
    seen.add(written);
    return true;
  });
}
