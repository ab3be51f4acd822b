import type { KeyObject } from 'node:crypto';
import { keyIdOf } from '../lineage/attest/dsse.js';
import { Attestations, damagedEnvelope } from '../lineage/attest/store.js';
import { verifyAncestry } from '../lineage/attest/verify.js';
import { lineageOf, type LineageNode } from '../lineage/lineage.js';
import { DROPPED, madeByLine, settingLines, usesLines } from '../lineage/lineage-text.js';
import type { Session } from '../plan/session.js';
import type { Resolved } from './data-index.js';
import { blockAnchor, dataHref, esc, listing, objectHref, page } from './html.js';
import { preview } from './preview.js';
import { counted } from '../counted.js';

/** A result: where it sits, its content id, its lineage (each ancestor linked), its signatures, and a preview. */
export async function resultPage(session: Session, found: Resolved, trusted: readonly KeyObject[]): Promise<string> {
  const path = found.path;
  const crumbs = breadcrumbs(path);
  if (found.kind === 'dir') {
    const entries = found.entries.map((e) => ({ name: e.name, dir: e.id === undefined, ...(e.id === undefined ? {} : { id: e.id }) }));
    const lineage = await lineageSection(session, path, found.run, trusted);
    return page(path, `<h1 class="result-path">${crumbs}</h1>
<p>directory of several jobs' files: ${found.entries.length} entr${found.entries.length === 1 ? 'y' : 'ies'}</p>
${listing(path, entries)}
${lineage}`);
  }
  const writers = found.writers ?? [];
  const blocks = [...new Set(writers.map((w) => w.block))];
  const producer = found.producer === undefined
    ? writers.length > 0 ? `<p>written by ${writers.length} job${writers.length === 1 ? '' : 's'} of ${blocks.map((b) => `<a href="/#${blockAnchor(b)}">${esc(b)}</a>`).join(', ')}</p>` : '<p>an input of the pipeline (no job of it made this)</p>'
    : `<p>made by <a href="/#${blockAnchor(found.producer.block)}">${esc(found.producer.job)}</a> in run ${found.producer.madeIn}</p>`;
  // The data of a result `fsck --repair` dropped is gone: said so, not previewed (the next run recomputes it).
  const gone = found.producer?.dropped === true && !session.store.has(found.id);
  const raw = found.id.startsWith('sha256') && !gone ? ` · <a href="${esc(objectHref(found.id, path.slice(path.lastIndexOf('/') + 1)))}">raw</a>` : '';
  return page(path, `<h1 class="result-path">${crumbs}</h1>
<p class="content-id">content id <code class="id">${esc(found.id)}</code>${raw}</p>
${producer}
<section class="preview"><h2>Preview</h2>
${gone ? `<p class="note">${DROPPED_HTML}; the next run recomputes it</p>` : preview(session.store, found.id, path)}
</section>
${await lineageSection(session, path, found.run, trusted)}`);
}

function breadcrumbs(path: string): string {
  const parts = path.split('/').slice(1);
  return parts.map((p, i) => (i === 0 ? `/${esc(p)}` : i === parts.length - 1 ? `/<span>${esc(p)}</span>` : `/<a href="${esc(dataHref('/' + parts.slice(0, i + 1).join('/')))}">${esc(p)}</a>`)).join('');
}

/** The lineage of `path` as `shark lineage --run RUN` tells it: the run of the result the page shows (else the latest). */
async function lineageSection(session: Session, path: string, run: number | undefined, trusted: readonly KeyObject[]): Promise<string> {
  const node = lineageOf(session.meta, session.pipelinePath, path, run === undefined ? {} : { run });
  if ('error' in node) return `<section class="lineage"><h2>Lineage</h2><p class="note">${esc(node.error)}</p></section>`;
  return `<section class="lineage"><h2>Lineage</h2>
<ul class="lineage-tree">${lineageItem(node)}</ul>
</section>
${await signatures(session, node, trusted)}`;
}

/**
 * Jobs shown per input of a lineage: a total over a map of 30,000 species
 * made a page of 22 MB. `shark lineage` lists every one.
 */
export const LINEAGE_LIST_LIMIT = 200;

function producers(from: readonly LineageNode[], shown: Set<string>): string {
  const listed = from.slice(0, LINEAGE_LIST_LIMIT).map((f) => lineageItem(f, shown)).join('');
  const more = from.length - LINEAGE_LIST_LIMIT;
  return more <= 0 ? listed : `${listed}<li class="lineage-more k">… and ${more} more jobs (<code>shark lineage</code> lists every one)</li>`;
}

/** `DROPPED` as the page says it: its command set as code. */
const DROPPED_HTML = esc(DROPPED).replace(/`([^`]*)`/g, '<code>$1</code>');

/** A directory whose run did not finish the steps writing it holds only part of what they write: said as `shark lineage` says it. */
function unfinishedNote(n: LineageNode): string {
  return n.unfinished === undefined ? '' : `<p class="note">note: ${esc(n.unfinished)}</p>`;
}

function lineageItem(n: LineageNode, shown = new Set<string>()): string {
  if (n.kind === 'group') {
    return `<li class="lineage-node"><span class="group">${esc(n.command)}</span>${unfinishedNote(n)}<ul>${producers(n.inputs[0]?.from ?? [], shown)}</ul></li>`;
  }
  // A job many results descend from is told once; later mentions point back to it.
  if (shown.has(n.key)) return `<li class="lineage-node seen"><a class="job" href="/#${blockAnchor(n.block)}">${esc(n.job)}</a> <span class="k">(shown above)</span></li>`;
  shown.add(n.key);
  const outputs = Object.entries(n.outputs).map(([p, id]) => `<a href="${esc(dataHref(p))}">${esc(p)}</a> <code class="id">${esc(id)}</code>`).join(' ');
  // What `shark lineage` says of the job beside its command and outputs: its values, import source, the run of another document that made it, its scripts.
  const detail = (lines: readonly string[]): string => lines.map((l) => `\n<div class="k">${esc(l)}</div>`).join('');
  const after = [...(n.madeBy === undefined ? [] : [madeByLine(n, n.madeBy)]), ...usesLines(n)];
  const inputs = n.inputs.map((i) => {
    const from = i.from.length === 0 ? ' <span class="k">(input)</span>' : `<ul>${producers(i.from, shown)}</ul>`;
    return `<li class="lineage-input">← <a href="${esc(dataHref(i.path))}">${esc(i.path)}</a> <code class="id">${esc(i.id)}</code>${from}</li>`;
  }).join('');
  return `<li class="lineage-node" data-job="${esc(n.job)}"><a class="job" href="/#${blockAnchor(n.block)}">${esc(n.job)}</a> <span class="k">${esc(n.kind === 'import' ? 'import' : n.environment)}</span> <span class="k">${esc(n.location)}</span>
${unfinishedNote(n)}<pre class="command">${esc(n.command)}</pre>${detail(settingLines(n))}
<div>→ ${outputs} <span class="k">ran ${esc(n.started)} on ${esc(n.host)}, shark ${esc(n.version)}</span></div>${detail(after)}${n.dropped ? `\n<p class="note">${DROPPED_HTML}</p>` : ''}
<ul>${inputs}</ul></li>`;
}

function hasAttestations(session: Session): boolean {
  return session.meta.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attestations'").get() !== undefined;
}

/** Each job's envelope and its signers; verified against `--trust` keys when given (as `shark verify` does). */
async function signatures(session: Session, top: LineageNode, trusted: readonly KeyObject[]): Promise<string> {
  const all: LineageNode[] = [];
  const seen = new Set<string>();
  const walk = (n: LineageNode): void => {
    if (n.kind !== 'group' && !seen.has(n.key)) (seen.add(n.key), all.push(n));
    for (const i of n.inputs) for (const f of i.from) walk(f);
  };
  walk(top);
  if (!hasAttestations(session)) return '<section class="signatures"><h2>Signatures</h2><p>not signed (run with <code>--sign</code> to sign each job)</p></section>';
  const attestations = new Attestations(session.meta);
  const rows = all.map((n) => {
    const row = attestations.get(n.key, n.run);
    // A row edited into no envelope is said to be damaged: its stand-in empty envelope is not "no signatures".
    const signers = row === undefined ? 'no envelope'
      : row.damaged !== undefined ? damagedEnvelope(row.damaged)
      : row.envelope.signatures.map((s) => s.keyid ?? '?').join(', ') || 'no signatures';
    return `<li><span class="job">${esc(n.job)}</span>: ${esc(signers)}</li>`;
  }).join('');
  let verdict = '<p class="k">not verified: start <code>shark serve</code> with <code>--trust KEY.pub</code> to check them</p>';
  if (trusted.length > 0) {
    const tops = top.kind === 'group' ? (top.inputs[0]?.from ?? []) : [top];
    const report = await verifyAncestry(all, tops, session, attestations, trusted, 1);
    verdict = report.problems.length === 0
      ? `<p class="verified">verified: ${counted(report.checked, 'envelope')} against ${trusted.map((k) => esc(keyIdOf(k))).join(', ')}</p>`
      : `<p class="unverified">does not verify:</p><ul>${report.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`;
    verdict += report.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('');
  }
  return `<section class="signatures"><h2>Signatures</h2><ul>${rows}</ul>${verdict}</section>`;
}
