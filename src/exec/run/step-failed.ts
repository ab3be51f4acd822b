import type { Step } from '../../pipeline/pipeline.js';
import type { FailureReason } from '../events.js';
import { maskText } from '../secret-mask.js';
import type { RunContext } from './context.js';

/** How a step ended: `ok: false` stops the steps that need it. */
export type StepOutcome = { readonly ok: boolean };

/** A step that failed as a whole (its inputs, its source, or how its jobs' outputs fit together). */
export function stepFailed(ctx: RunContext, step: Pick<Step, 'id' | 'at'>, message: string, reason: FailureReason, log: string | null = null): StepOutcome {
  const where = ctx.where(step.at);
  ctx.counts.failed++;
  // Masked as a job's output is: the summary is stored, and an import's error may quote a URL's token.
  const said = maskText(message, [...(ctx.session.secrets?.values() ?? [])]);
  ctx.failures.push({ job: step.id, where, reason, log, message: said });
  ctx.emit({ type: 'step-failed', step: step.id, where, message: said, reason, ...(log === null ? {} : { log }) });
  ctx.stop();
  return { ok: false };
}
