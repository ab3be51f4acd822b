import { warning, type Diagnostic } from '../diagnostics.js';
import type { Document } from '../markdown/document.js';

/** Why a step whose environment no `shark-build` defines is not run: `plan` shows it, `run` refuses. */
export function noBuildBlock(env: string): string {
  return `${noBuildBlockFor(env)}: this block cannot run`;
}

/** The cause alone: what `plan` gives as the reason the steps reading such a step are blocked. */
export function noBuildBlockFor(env: string): string {
  return `environment \`${env}\` has no shark-build block`;
}

/**
 * Run blocks in an environment that no `shark-build` block defines. The original Shark's
 * test pipeline has them, so they are warnings: `check`, `dag` and `plan` show the document,
 * while `run` refuses it (`refusesRun`). One warning per block as written, not per instance.
 */
export function missingEnvironments(document: Document): Diagnostic[] {
  const defined = new Set<string>();
  for (const block of document.blocks) if (block.kind === 'build' && block.arg !== undefined) defined.add(block.arg);
  const known = [...defined];
  const seen = new Set<number>();
  const found: Diagnostic[] = [];
  for (const block of document.blocks) {
    if (block.kind !== 'run' || block.arg === undefined || defined.has(block.arg)) continue;
    const written = block.instance?.of ?? block.index;
    if (seen.has(written)) continue;
    seen.add(written);
    const at = { line: block.infoAt.line, col: block.infoAt.col + block.info.indexOf(':') + 1 };
    const list = known.length > 0 ? ` (defined: ${known.join(', ')})` : '';
    found.push(warning(document.file, at, `${noBuildBlock(block.arg)}${list}`, { refusesRun: true }));
  }
  return found;
}
