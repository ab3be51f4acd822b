import type { Diagnostic } from '../diagnostics.js';
import { error } from '../diagnostics.js';
import type { Document, SharkBlock } from '../markdown/document.js';

const ID = /^[a-z0-9][a-z0-9_.-]*$/i;

export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

/**
 * Names each block after its section heading (`species-aoh`), or its kind
 * before any heading; `{id=…}` overrides. Ids are for people and logs only:
 * they never enter a cache key, so renaming a heading invalidates nothing.
 */
export function blockIds(document: Document, diagnostics: Diagnostic[]): string[] {
  const used = new Map<string, number>();
  const explicit = new Map<string, SharkBlock>();
  for (const block of document.blocks) {
    const id = block.options['id'];
    if (typeof id !== 'string') continue;
    const first = explicit.get(id);
    if (!ID.test(id)) diagnostics.push(error(document.file, block.infoAt, `invalid block id \`${id}\`: use letters, digits, '.', '_' and '-'`));
    else if (first !== undefined) {
      diagnostics.push(error(document.file, block.infoAt, `block id \`${id}\` is used twice`, [{ at: first.infoAt, message: 'first used here' }]));
    } else explicit.set(id, block);
  }
  return document.blocks.map((block) => {
    const id = block.options['id'];
    if (typeof id === 'string') return id;
    const base = slug(block.section) || block.kind;
    let n = used.get(base) ?? 0;
    let candidate: string;
    do {
      n++;
      candidate = n === 1 ? base : `${base}-${n}`;
    } while (explicit.has(candidate));
    used.set(base, n);
    return candidate;
  });
}
