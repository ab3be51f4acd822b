/**
 * What the browser needs, shipped inside the package as strings (`tsc` emits
 * only .ts): no build step, no network, and no inline script or style, so the
 * Content-Security-Policy can forbid both.
 */
export const SCRIPT = String.raw`'use strict';
(function () {
  function apply(state) {
    var banner = document.getElementById('run-banner');
    var run = state.run;
    // Rewritten only when the run changed since the page was made: the page's own text says more.
    if (banner && (String(run ? run.id : '') !== banner.dataset.run || (run ? run.status : 'none') !== banner.dataset.status || (run && run.status === 'running'))) {
      banner.dataset.run = run ? String(run.id) : '';
      banner.dataset.status = run ? run.status : 'none';
      banner.textContent = !run ? 'never run'
        : run.status === 'running' ? run.label
        : 'latest run: run ' + run.id + ', ' + run.status + ' (reload the page for its outputs and logs)';
    }
    var notes = document.getElementById('page-note');
    if (notes) {
      notes.replaceChildren.apply(notes, (state.note || '').split('\n').filter(Boolean).map(function (line) {
        var p = document.createElement('p');
        p.className = 'note';
        p.textContent = line;
        return p;
      }));
      notes.hidden = !state.note;
    }
    state.blocks.forEach(function (b) {
      document.querySelectorAll('[data-block="' + CSS.escape(b.id) + '"]').forEach(function (el) {
        el.dataset.status = b.status;
        var label = el.querySelector('[data-role="status"]');
        if (label) label.textContent = b.label;
      });
      b.jobs.forEach(function (j) {
        document.querySelectorAll('[data-job="' + CSS.escape(j.job) + '"].job-status').forEach(function (el) {
          el.dataset.status = j.status;
          el.textContent = j.label;
        });
      });
    });
  }
  if (document.getElementById('run-banner') && window.EventSource) {
    var source = new EventSource('/events');
    source.addEventListener('state', function (e) { apply(JSON.parse(e.data)); });
  }
  var toggle = document.getElementById('toggle-all');
  if (toggle) toggle.addEventListener('click', function () {
    var all = document.querySelectorAll('details.jobs, details.instance');
    var open = Array.prototype.some.call(all, function (d) { return !d.open; });
    all.forEach(function (d) { d.open = open; });
  });
})();
`;

export const STYLE = `
:root { --fg: #1d2430; --muted: #5d6878; --line: #d5dbe3; --bg: #fbfcfd; --accent: #1f5fa8;
  --ran: #2e7d32; --cached: #4a6fa5; --failed: #c62828; --would-run: #b26a00; --running: #6a1b9a; --waiting: #8a7fa0; --manual: #777; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header.top { padding: 8px 20px; background: #16324f; color: #fff; display: flex; gap: 16px; align-items: baseline; }
header.top a { color: #fff; font-weight: 600; text-decoration: none; }
header.top .file { color: #c9d7e6; font-family: ui-monospace, monospace; }
main { max-width: 1100px; margin: 0 auto; padding: 12px 20px 60px; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 13px; }
pre { background: #f1f4f8; padding: 10px 12px; overflow-x: auto; border-radius: 4px; }
.run-banner { padding: 6px 10px; border-left: 4px solid var(--muted); background: #eef2f6; }
.run-banner[data-status="running"] { border-color: var(--running); }
.run-banner[data-status="ok"] { border-color: var(--ran); }
.run-banner[data-status="failed"] { border-color: var(--failed); }
.note { color: var(--failed); }
.k { color: var(--muted); font-size: 13px; }
.dag-box summary { font-weight: 600; cursor: pointer; }
.dag-scroll { overflow-x: auto; border: 1px solid var(--line); background: #fff; border-radius: 4px; }
svg.dag { display: block; max-width: 100%; height: auto; }
svg.dag .dag-edge { fill: none; stroke: #9aa6b5; stroke-width: 1.5; }
svg.dag rect { fill: #fff; stroke: #8896a8; }
svg.dag .dag-block rect { fill: #dbe9f6; stroke: #4a6fa5; }
svg.dag .dag-block[data-status="ran"] rect { fill: #dcefdc; stroke: var(--ran); }
svg.dag .dag-block[data-status="failed"] rect { fill: #fbe0e0; stroke: var(--failed); }
svg.dag .dag-block[data-status="would-run"] rect { fill: #fdf0d8; stroke: var(--would-run); }
svg.dag .dag-block[data-status="running"] rect { fill: #efe0f5; stroke: var(--running); }
svg.dag .dag-block[data-status="waiting"] rect { fill: #f3f1f6; stroke: var(--waiting); stroke-dasharray: 4 2; }
svg.dag .dag-file rect { fill: #fff; stroke-dasharray: 4 2; }
svg.dag .dag-text { font: 13px ui-monospace, monospace; fill: var(--fg); }
svg.dag .dag-sub { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg.dag a:hover rect { stroke-width: 2.5; }
.shark-block { border: 1px solid var(--line); border-left: 5px solid var(--cached); border-radius: 4px; padding: 8px 12px; margin: 14px 0; background: #fff; }
.shark-block pre { margin: 8px 0; }
[data-status="ran"].shark-block, details.instance[data-status="ran"] { border-left-color: var(--ran); }
[data-status="failed"].shark-block, details.instance[data-status="failed"] { border-left-color: var(--failed); }
[data-status="would-run"].shark-block, details.instance[data-status="would-run"] { border-left-color: var(--would-run); }
[data-status="running"].shark-block, details.instance[data-status="running"] { border-left-color: var(--running); }
[data-status="waiting"].shark-block, details.instance[data-status="waiting"] { border-left-color: var(--waiting); }
[data-status="publish"].shark-block, [data-status="manual"].shark-block { border-left-color: var(--manual); }
details.instance { border-left: 4px solid var(--line); margin: 6px 0; padding: 2px 8px; }
.block-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.tag { font-family: ui-monospace, monospace; font-size: 12px; background: #e8edf3; padding: 1px 6px; border-radius: 3px; }
.block-id { font-family: ui-monospace, monospace; font-weight: 600; }
.status { font-size: 13px; font-weight: 600; }
[data-status="ran"] > .block-head .status, [data-status="ran"].job-status { color: var(--ran); }
[data-status="failed"] > .block-head .status, [data-status="failed"].job-status { color: var(--failed); }
[data-status="would-run"] > .block-head .status, [data-status="would-run"].job-status { color: var(--would-run); }
[data-status="running"] > .block-head .status, [data-status="running"].job-status { color: var(--running); }
[data-status="waiting"] > .block-head .status, [data-status="waiting"].job-status { color: var(--waiting); }
.block-info { font-size: 13px; display: grid; gap: 3px; }
.job-table { border-collapse: collapse; margin-top: 4px; }
.job-table td, .job-table th { border-bottom: 1px solid var(--line); padding: 2px 10px 2px 0; text-align: left; }
.preview-table { border-collapse: collapse; font-size: 13px; }
.preview-table td, .preview-table th { border: 1px solid var(--line); padding: 2px 8px; }
.preview-table th { background: #eef2f6; }
.table-scroll { overflow-x: auto; }
.preview-image { max-width: 100%; border: 1px solid var(--line); }
svg.geojson { background: #fff; border: 1px solid var(--line); }
svg.geojson .geo-polygon { fill: #cfe3f7; stroke: #1f5fa8; stroke-width: 1; }
svg.geojson .geo-line { fill: none; stroke: #1f5fa8; stroke-width: 1.5; }
svg.geojson .geo-point { fill: #c62828; }
.lineage-tree, .lineage-tree ul { list-style: none; padding-left: 18px; border-left: 1px dotted var(--line); }
.lineage-node { margin: 6px 0; }
.lineage-node pre.command { margin: 4px 0; }
.verified { color: var(--ran); font-weight: 600; }
.unverified { color: var(--failed); font-weight: 600; }
.raw-html { color: var(--muted); }
`;
