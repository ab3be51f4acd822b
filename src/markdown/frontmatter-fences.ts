import { error, type Diagnostic } from '../diagnostics.js';

const KEY_LINE = /^[A-Za-z_][\w.-]*\s*:/;

/** A line of dashes that markdown reads as a rule: what a mistyped frontmatter `---` looks like. */
const DASH_LINE = /^[ \t]*-{3,}[ \t]*$/;

/**
 * The error for a document whose frontmatter markdown does not see (it read the first lines as
 * a rule and prose or a heading), so every key it defines would silently be missing; undefined
 * when there is none. Called only when no frontmatter was read.
 */
export function unreadFrontmatter(file: string, lines: readonly string[]): Diagnostic | undefined {
  const toml = tomlFrontmatter(file, lines);
  if (toml !== undefined) return toml;
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0 || !DASH_LINE.test(lines[first]!) || !KEY_LINE.test(lines[first + 1] ?? '')) return undefined;
  const open = lines[first]!.trimEnd();
  const closeAt = lines.findIndex((l, i) => i > first && DASH_LINE.test(l));
  if (open !== '---') {
    // Only with a closing line: a long rule then a line of prose holding a colon is no frontmatter.
    if (closeAt < 0) return undefined;
    const late = first > 0 ? '; and it must start on the first line: remove the blank lines above it' : '';
    return error(file, { line: first + 1, col: 1 }, `${misshapen('opens', open, 'below')}${late}`);
  }
  // The original Shark refused these too ("Malformed frontmatter/markdown file"): its split on `---` needs the first at the start.
  if (first > 0) return error(file, { line: first + 1, col: 1 }, 'the frontmatter must start on the first line: remove the blank lines above this `---`');
  // A blank line before it and that rule may be prose after frontmatter left open: that is said below.
  const yamlOnly = closeAt >= 0 && lines.slice(1, closeAt).every((l) => l.trim() !== '');
  if (yamlOnly && lines[closeAt]!.trimEnd() !== '---') {
    return error(file, { line: closeAt + 1, col: 1 }, misshapen('closes', lines[closeAt]!.trimEnd(), 'above'));
  }
  if (!lines.slice(1).some((l) => l.trimEnd() === '---')) {
    return error(file, { line: 1, col: 1 }, 'the frontmatter opened here is never closed: end it with a line `---`');
  }
  return undefined;
}

/** What is wrong with a frontmatter line of dashes other than `---`. */
function misshapen(verb: 'opens' | 'closes', line: string, where: 'below' | 'above'): string {
  const shape = line.trimStart() !== line ? '`---` at the start of its line, no space before it' : 'a line of exactly three dashes `---`';
  return `the frontmatter ${verb} with ${shape}: markdown reads \`${line}\` as a rule, and every key ${where} it would be missing`;
}

/** Hugo's TOML frontmatter, `+++` then `KEY = value` lines and `+++`: markdown reads it as prose, so no key would be set. */
function tomlFrontmatter(file: string, lines: readonly string[]): Diagnostic | undefined {
  const key = /^([A-Za-z_][\w.-]*)[ \t]*=[ \t]*(.*)$/.exec(lines[1] ?? '');
  if (lines[0]?.trimEnd() !== '+++' || key === null || !lines.slice(2).some((l) => l.trimEnd() === '+++')) return undefined;
  const [, name, value] = key;
  return error(file, { line: 1, col: 1 }, 'TOML frontmatter (`+++`) is not read, and markdown shows it as prose: Shark reads YAML between `---` lines '
    + `(\`${name!}: ${value!.trim()}\`, not \`${name!} = ${value!.trim()}\`)`);
}
