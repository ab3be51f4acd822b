import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import { parseMarkdown } from '../markdown/parse.js';
import { decodeDocument, MAX_DOCUMENT_BYTES } from '../markdown/source-text.js';
import { hiddenLine } from '../pipeline/given-frontmatter.js';
import { FRONTMATTER_KEY } from './config-keys.js';

/**
 * The config file's diagnostics, each located at a secret's entry under
 * `env:` or `frontmatter:` shown with the value hidden, whatever it says is
 * wrong (a NUL byte, a mapping): the value was meant to be a credential.
 * `secrets` undefined (the document could not be read): every entry's value
 * there is hidden.
 */
export function hideSecretValues(diagnostics: readonly Diagnostic[], source: string, secrets: ReadonlySet<string> | undefined): Diagnostic[] {
  const counter = new LineCounter();
  const root = parseDocument(source, { lineCounter: counter, prettyErrors: false }).contents;
  const entries: { from: number; to: number; span: readonly [number, number] }[] = [];
  for (const section of isMap(root) ? root.items : []) {
    const key = section.key as YamlNode | null;
    if (!isScalar(key) || !['env', FRONTMATTER_KEY].includes(String(key.value)) || !isMap(section.value)) continue;
    for (const item of section.value.items) {
      const name = item.key as YamlNode | null;
      const value = item.value as YamlNode | null;
      if (!isScalar(name) || !name.range || !value?.range || (secrets !== undefined && !secrets.has(String(name.value)))) continue;
      const span = [value.range[0], value.range[1]] as const;
      entries.push({ from: counter.linePos(name.range[0]).line, to: counter.linePos(Math.max(span[0], span[1] - 1)).line, span });
    }
  }
  return diagnostics.map((d) => {
    const entry = entries.find((e) => d.at.line >= e.from && d.at.line <= e.to);
    if (entry !== undefined) return { ...d, shown: hiddenLine(source, d.at.line, entry.span) };
    const line = hiddenLine(source, d.at.line, undefined);
    const masked = maskedLine(line, secrets);
    return masked === line ? d : { ...d, shown: masked };
  });
}

/**
 * A line of the config file anywhere else, as shown: a secret written as a
 * key of its own (`TOKEN: …`, or `TOKEN=…` of a secrets file given as
 * `--config`) has its value hidden, and so has any secret's value from the
 * environment, wherever it is on the line.
 */
function maskedLine(line: string, secrets: ReadonlySet<string> | undefined): string {
  let out = line;
  for (const name of secrets ?? []) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`^(\\s*(?:export\\s+)?["']?${escaped}["']?\\s*[:=]\\s*)\\S.*$`), '$1***');
    const value = process.env[name];
    if (value !== undefined && value.length >= 4) out = out.split(value).join('***');
  }
  return out;
}

/** The names of the `secrets:` of the document at `path`; undefined when it cannot be read. */
export function documentSecrets(path: string): Set<string> | undefined {
  try {
    const bytes = readFileSync(path);
    const decoded = bytes.length > MAX_DOCUMENT_BYTES ? undefined : decodeDocument(path, bytes);
    if (decoded?.ok !== true) return undefined;
    return new Set((parseMarkdown(path, decoded.source).document.frontmatter?.secrets ?? []).map((s) => s.name));
  } catch {
    return undefined;
  }
}
