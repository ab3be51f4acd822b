import type { Plan, PlannedJob } from '../plan/planner.js';

export function summaryLine(summary: Plan['summary']): string {
  const total = summary.cached + summary.run + summary.blocked + summary.manual;
  const more = `${summary.blocked > 0 ? `, ${summary.blocked} blocked` : ''}${summary.manual > 0 ? `, ${summary.manual} manual` : ''}`;
  return `${total} job${total === 1 ? '' : 's'}: ${summary.cached} cached, ${summary.run} to run${more}`;
}

/** For a map step's group line: `no previous result (new item)` reads as `new item`. */
function shortReason(reason: string): string {
  const m = /^no previous result \((.+)\)$/.exec(reason);
  return m ? m[1]! : reason;
}

/**
 * One line per job in DAG order; a map step is one line with its counts
 * (`species-aoh: 1000 jobs — 997 cached, 2 to run (new item)`), unless
 * `verbose` lists every item.
 */
export function renderPlan(plan: Plan, file: string, verbose: boolean): string {
  const lines: string[] = [];
  const byStep = new Map<string, PlannedJob[]>();
  for (const j of plan.jobs) {
    const group = byStep.get(j.step);
    if (group === undefined) byStep.set(j.step, [j]);
    else group.push(j);
  }
  const width = Math.min(32, Math.max(8, ...plan.jobs.map((j) => (verbose ? j.job : j.step).length)));
  for (const [step, jobs] of byStep) {
    const first = jobs[0]!;
    const isMap = jobs.some((j) => j.items.length > 0);
    if (isMap && !verbose) {
      const cached = jobs.filter((j) => j.status === 'cached' && j.reasons.length === 0).length;
      const groups = new Map<string, number>();
      for (const j of jobs) if (j.status !== 'cached' || j.reasons.length > 0) {
        // A cached job with a reason is a `{precious}` one kept: `kept (precious): …` is its own label.
        const label = j.status === 'cached' ? j.reasons[0]! : `${j.status === 'run' ? 'to run' : 'blocked'} (${shortReason(j.reasons[0] ?? '')})`;
        groups.set(label, (groups.get(label) ?? 0) + 1);
      }
      const parts = [`${cached} cached`, ...[...groups].map(([label, n]) => `${n} ${label}`)];
      const status = jobs.every((j) => j.status === 'cached') ? 'cached' : 'map';
      lines.push(`${status.padEnd(8)} ${step.padEnd(width)} ${file}:${first.line}  ${jobs.length} jobs — ${parts.join(', ')}`);
      continue;
    }
    for (const j of jobs) {
      const reasons = j.reasons.length > 0 ? `  ${j.reasons.join('; ')}` : '';
      lines.push(`${j.status.padEnd(8)} ${(verbose ? j.job : j.step).padEnd(width)} ${file}:${j.line}${reasons}`);
      // With -v, a cached job shows its results' snapshots (ZFS snapshot names on the ZFS store).
      if (verbose) for (const [path, id] of Object.entries(j.outputs ?? {})) lines.push(`${''.padEnd(8)} ${''.padEnd(width)}   ${path} = ${id}`);
    }
  }
  for (const note of plan.notes) lines.push(`note: ${note}`);
  lines.push(summaryLine(plan.summary));
  return lines.join('\n') + '\n';
}

export function planJson(plan: Plan): object {
  return {
    jobs: plan.jobs.map((j) => ({
      block: j.block,
      step: j.step,
      job: j.job,
      line: j.line,
      ...(j.items.length > 0 ? { item: j.items.join(','), items: j.items } : {}),
      status: j.status,
      reasons: j.reasons,
      ...(j.outputs !== undefined ? { outputs: j.outputs } : {}),
    })),
    // `manual` only when there are any: the summary of a plan without {manual} blocks keeps its three counts.
    summary: plan.summary.manual > 0 ? plan.summary : { cached: plan.summary.cached, run: plan.summary.run, blocked: plan.summary.blocked },
    notes: plan.notes,
  };
}
