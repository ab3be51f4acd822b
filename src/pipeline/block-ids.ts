import type { Diagnostic } from '../diagnostics.js';
import { error } from '../diagnostics.js';
import type { Document, SharkBlock } from '../markdown/document.js';
import { nameProblem } from '../markdown/option-values.js';
import { optionAt } from './resources.js';

/** Latin letters NFKD leaves whole, as they are spelled in ASCII. */
const SPELLED: Readonly<Record<string, string>> = {
  æ: 'ae', ß: 'ss', ø: 'o', œ: 'oe', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ħ: 'h', ı: 'i', ŋ: 'ng', ĸ: 'k',
};

export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    // The letters of SPELLED, escaped: one character beyond Latin-1 in the bundle makes V8 hold all its 1.5 MB as two-byte text.
    .replace(/[\u00e6\u00df\u00f8\u0153\u0142\u0111\u00f0\u00fe\u0127\u0131\u014b\u0138]/g, (ch) => SPELLED[ch]!)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

/**
 * Names each block after its section heading (`species-aoh`), or its kind
 * before any heading; `{id=…}` overrides. The instances of a block share its
 * id, followed by their axis values: `aoh[TAXA=AVES,SCENARIO=restore]`. Ids
 * are for people and logs only: they never enter a cache key, so renaming a
 * heading invalidates nothing.
 */
export function blockIds(document: Document, diagnostics: Diagnostic[]): string[] {
  // One base id per block as written: its instances, which follow each other, are numbered as one.
  const blocks = document.blocks;
  const first = (i: number): boolean => blocks[i]!.instance === undefined || blocks[i - 1]?.instance?.of !== blocks[i]!.instance!.of;
  const bases = baseIds(document.file, blocks.filter((_, i) => first(i)), diagnostics);
  let w = -1;
  return blocks.map((block, i) => {
    if (first(i)) w++;
    const base = bases[w]!;
    const axes = block.instance?.axes ?? [];
    return axes.length === 0 ? base : `${base}[${axes.map(([name, value]) => `${name}=${value}`).join(',')}]`;
  });
}

/**
 * An instance's id read back into its block's base id and axis values, for
 * what keeps only the id (a lineage record: the values are replaced in its
 * command). A value holding `,NAME=` is read as two: the id is for people.
 */
export function idAxes(id: string): { base: string; axes: [string, string][] } {
  const m = /^([^[]*)\[(.*)\]$/.exec(id);
  if (m === null) return { base: id, axes: [] };
  const axes = m[2]!.split(/,(?=[A-Za-z_][A-Za-z0-9_]*=)/).map((pair): [string, string] => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]);
  return { base: m[1]!, axes };
}

/** Whether `id` names block `blockId`: the block itself, or with a sweep's bare id any of its instances (`run` names `run[X=a]`). */
export function inBlock(blockId: string, id: string): boolean {
  return blockId === id || blockId.startsWith(`${id}[`);
}

/**
 * Each id once per document. A heading's own name (`step-2` from `## Step 2`)
 * and an `{id=…}` are taken first; a further block under a heading gets the
 * next number that neither took (`step-3`) and no block before it has. Where
 * no two blocks shared an id, that is the number it always had.
 */
function baseIds(file: string, blocks: readonly SharkBlock[], diagnostics: Diagnostic[]): string[] {
  const explicit = new Map<string, SharkBlock>();
  for (const block of blocks) {
    const id = block.options['id'];
    if (typeof id !== 'string') continue;
    const first = explicit.get(id);
    const invalid = nameProblem('block id', id);
    if (invalid !== undefined) diagnostics.push(error(file, optionAt(block, 'id'), invalid));
    else if (first !== undefined) {
      // At the `id=` that repeats, not the tag: a tag may hold several options, and the first may be far above.
      const at = optionAt(first, 'id');
      const message = `block id \`${id}\` is used twice (first at ${file}:${at.line})`;
      diagnostics.push(error(file, optionAt(block, 'id'), message, [{ at, message: `the first \`id=${id}\`` }]));
    } else explicit.set(id, block);
  }
  const generated = blocks.filter((block) => typeof block.options['id'] !== 'string');
  // A heading's own name: a block named after its kind (no heading, or one with no ASCII letter or digit) steps around it.
  const headings = new Set(generated.map((block) => slug(block.section)).filter((base) => base !== '' && !explicit.has(base)));
  const taken = new Set<string>();
  // Numbered on, per heading name, and apart from them per kind.
  const used = new Map<string, number>();
  return blocks.map((block) => {
    const id = block.options['id'];
    if (typeof id === 'string') return id;
    const own = slug(block.section);
    const base = own || block.kind;
    const counter = own === '' ? `\0${base}` : base;
    let n = used.get(counter) ?? 0;
    let candidate: string;
    do {
      n++;
      candidate = n === 1 ? base : `${base}-${n}`;
    } while (explicit.has(candidate) || taken.has(candidate) || ((n > 1 || own === '') && headings.has(candidate)));
    used.set(counter, n);
    taken.add(candidate);
    return candidate;
  });
}
