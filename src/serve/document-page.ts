import { shownUrls } from '../imports/shown-url.js';
import type { Code } from 'mdast';
import type { BlockNode, Pipeline } from '../pipeline/pipeline.js';
import { dagSvg } from './dag-svg.js';
import { blockAnchor, dataHref, esc, formatDuration, page, shownPathHref } from './html.js';
import { markdownToHtml } from './markdown-html.js';
import type { BlockView, JobView, PageState, RunView } from './views.js';
import { listAt } from '../multimap.js';
import { counted } from '../counted.js';

/** The rendered document, each Shark block annotated with its status, jobs, environment, logs and outputs. */
export function documentPage(pipeline: Pipeline, state: PageState, title: string): string {
  const views = new Map(state.blocks.map((v) => [v.id, v]));
  const byLine = new Map<number, BlockNode[]>();
  // A sweep's thousands of instances share their block's line.
  for (const b of pipeline.blocks) listAt(byLine, b.block.at.line).push(b);
  const body = markdownToHtml(pipeline.document.source, (node, line) => {
    const blocks = byLine.get(line);
    return blocks === undefined ? undefined : sharkBlock(node, blocks, views);
  });
  const dag = dagSvg(pipeline, (id) => views.get(id)?.status ?? 'unknown');
  return page(title, `${runBanner(state.run, state.note)}
<p class="tools"><button id="toggle-all" type="button">expand or collapse all jobs</button></p>
<details class="dag-box" open><summary>Pipeline graph</summary><div class="dag-scroll">${dag}</div></details>
<article class="document">
${body}
</article>`, ` <span class="file">${esc(title)}</span>`);
}

export function runText(run: RunView | undefined): string {
  if (run === undefined) return 'never run';
  if (run.status === 'running') return run.label;
  return `latest run: run ${run.id}, ${run.status}, started ${new Date(run.started).toISOString()}`;
}

function runBanner(run: RunView | undefined, note: string | undefined): string {
  const status = run?.status ?? 'none';
  return `<p id="run-banner" class="run-banner" data-run="${run === undefined ? '' : run.id}" data-status="${esc(status)}">${esc(runText(run))}</p>`
    + `<div id="page-note"${note === undefined ? ' hidden' : ''}>${noteParagraphs(note)}</div>`;
}

/** The page's notes, one a line (the script writes them alike when they change). */
function noteParagraphs(note: string | undefined): string {
  return (note ?? '').split('\n').filter((l) => l !== '').map((l) => `<p class="note">${esc(l)}</p>`).join('');
}

function sharkBlock(node: Code, blocks: readonly BlockNode[], views: ReadonlyMap<string, BlockView>): string {
  const first = blocks[0]!;
  // An import's URLs as Shark shows them everywhere else: a password and query tokens as `***`.
  const text = first.block.kind === 'import' ? shownUrls(node.value) : node.value;
  const code = `<pre><code>${esc(text)}</code></pre>`;
  const tag = `<span class="tag">${esc(`${node.lang ?? ''} ${node.meta ?? ''}`.trim())}</span>`;
  if (blocks.length === 1) {
    const v = views.get(first.id);
    return `<section class="shark-block" id="${blockAnchor(first.id)}" data-block="${esc(first.id)}" data-status="${esc(v?.status ?? 'unknown')}">
<div class="block-head">${tag} <a class="block-id" href="#${blockAnchor(first.id)}">${esc(first.id)}</a> ${statusSpan(v)}</div>
${code}
${blockInfo(first, v)}
</section>\n`;
  }
  // A sweep: one block as written, one instance per value of its axes, each collapsible.
  const instances = blocks.map((b) => {
    const v = views.get(b.id);
    const axes = (b.block.instance?.axes ?? []).map(([k, val]) => `${k}=${val}`).join(', ');
    return `<details class="instance" id="${blockAnchor(b.id)}" data-block="${esc(b.id)}" data-status="${esc(v?.status ?? 'unknown')}">
<summary><span class="block-id">${esc(b.id)}</span> <span class="axes">${esc(axes)}</span> ${statusSpan(v)}</summary>
${blockInfo(b, v)}
</details>`;
  });
  return `<section class="shark-block sweep">
<div class="block-head">${tag} <span class="block-id">${counted(blocks.length, 'instance')}</span></div>
${code}
${instances.join('\n')}
</section>\n`;
}

function statusSpan(v: BlockView | undefined): string {
  return `<span class="status" data-role="status">${esc(v?.label ?? 'unknown')}</span>`;
}

function pathLinks(label: string, paths: readonly string[]): string {
  if (paths.length === 0) return '';
  return `<div class="paths"><span class="k">${label}</span> ${paths.map((p) => `<a href="${esc(shownPathHref(p))}">${esc(p)}</a>`).join(' ')}</div>`;
}

function blockInfo(b: BlockNode, v: BlockView | undefined): string {
  const env = b.kind === 'run' ? `<div class="env"><span class="k">environment</span> ${esc(b.env ?? 'host')}${envIds(v)}</div>` : '';
  const jobs = v === undefined || v.jobs.length === 0 ? '' : v.jobs.length === 1 && v.total <= 1 ? `<div class="job-one">${jobLine(v.jobs[0]!)}</div>` : jobTable(v);
  return `<div class="block-info">${env}${pathLinks('reads', b.inputs)}${pathLinks('writes', b.outputs)}${jobs}</div>`;
}

/** The environment ids its jobs recorded: `host:OS/ARCH`, or the image's digest. */
function envIds(v: BlockView | undefined): string {
  const ids = [...new Set((v?.jobs ?? []).map((j) => j.env).filter((e): e is string => e !== undefined && e !== 'import'))];
  return ids.length === 0 ? '' : ` <code class="env-id">${ids.map(esc).join(', ')}</code>`;
}

function jobLine(j: JobView): string {
  const parts = [`<span class="job-status" data-job="${esc(j.job)}" data-status="${esc(j.status)}">${esc(j.label)}</span>`];
  if (j.ms !== undefined) parts.push(`<span class="duration">${esc(formatDuration(j.ms))}</span>`);
  if (j.logRun !== undefined) parts.push(`<a class="log" href="/log/${j.logRun}/${encodeURIComponent(j.job)}">log</a>`);
  for (const [p] of j.outputs) parts.push(`<a class="output" href="${esc(dataHref(p))}">${esc(p)}</a>`);
  return parts.join(' · ');
}

function jobTable(v: BlockView): string {
  const rows = v.jobs.map((j) => `<tr><td>${esc(j.item ?? j.job)}</td><td>${jobLine(j)}</td></tr>`).join('\n');
  const more = v.total - v.jobs.length;
  // Only so many are listed (failed and running ones first): the command line lists every one.
  const rest = more <= 0 ? '' : `\n<p class="more-jobs">${v.jobs.length} of ${v.total} jobs listed, failed and running ones first; <code>shark plan</code> and <code>shark logs</code> list every one.</p>`;
  return `<details class="jobs"><summary>${counted(v.total, 'job')}</summary><table class="job-table"><thead><tr><th>item</th><th>status</th></tr></thead><tbody>
${rows}
</tbody></table>${rest}</details>`;
}
