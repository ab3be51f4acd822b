import { join, relative, resolve } from 'node:path';
import type { Step } from '../../pipeline/pipeline.js';
import { realParents, realPath } from '../../real-path.js';
import type { DataState } from '../../plan/data-state.js';
import type { SnapshotId } from '../../store/snapshot-store.js';
import type { RunContext } from './context.js';
import { stepFailed, type StepOutcome } from './step-failed.js';
import { linkInPublishDir, linkOnTheWay, publishFailure, refusedTarget } from './publish-guard.js';
import { publishDirs } from '../../pipeline/publish-targets.js';
import { publishedInto, strayLink } from './publish-links.js';
import { alreadyPublished, fileOnTheWay, inTheWay, notePublished, publishedLinkOnTheWay } from './publish-owner.js';

/**
 * Copies results out of the store. Each target is written whole (staged,
 * then renamed into place) under a lease, so two runs publishing the same
 * path one after the other leave one complete copy; and only over what an
 * earlier publish put there (`publish-owner.ts`): never over the user's.
 */
export async function publish(ctx: RunContext, step: Step & { kind: 'publish' }, state: DataState): Promise<StepOutcome> {
  const { pipeline, pipelineDir } = ctx.session;
  const root = resolve(pipelineDir, step.dir);
  const published = publishedInto(pipeline, pipelineDir, root);
  // The cached jobs waiting to be recorded are said first: events name the jobs before what is published of them.
  ctx.cachedRows.flush();
  /** Why `input` cannot be published, said at its line in the block; its data otherwise (none: an optional input left unbound). */
  const check = (input: Step['inputs'][number]): { failed: StepOutcome } | { id: SnapshotId; to: string; at: string } | undefined => {
    const line = { id: step.id, at: input.at };
    const found = state.lookup(input.path, undefined, input.from);
    // Written, but not as one thing (a file with a path inside it): said as a reader of it is told, never skipped in silence.
    if (found.kind === 'missing') return { failed: stepFailed(ctx, line, `cannot publish ${input.path}: ${found.message}`, found.conflict === true ? 'conflict' : 'missing-input') };
    if (found.kind !== 'known') return undefined;
    const to = resolve(root, input.path.slice('/data/'.length));
    const at = input.path.replace(/(.)\/$/, '$1');
    const link = linkOnTheWay(root, to);
    const refused = link !== undefined ? `${link} is a symbolic link: publishing never writes through a link below its directory`
      : linkInPublishDir(root, publishDirs(pipeline, pipelineDir)) ?? publishedLink(ctx, root) ?? refusedTarget(to, ctx.session)
      ?? strayLink((id) => ctx.session.store.entries(id), found.id, at, published, step.dir)
      ?? fileOnTheWay(realPath(root), realParents(to), ctx.session, false) ?? userFileAt(realParents(to), found.id, ctx);
    if (refused !== undefined) return { failed: stepFailed(ctx, line, `cannot publish ${input.path} to ${to}: ${refused}`, 'conflict') };
    return { id: found.id, to, at };
  };
  // Every path looked at before any is copied: a block one of whose paths is refused publishes none (it was half applied).
  for (const input of step.inputs) {
    const checked = check(input);
    if (checked !== undefined && 'failed' in checked) return checked.failed;
  }
  for (const input of step.inputs) {
    const line = { id: step.id, at: input.at };
    // Again, as each is copied: a path published before it in the block may have put a link on its way.
    const checked = check(input);
    if (checked === undefined) continue;
    if ('failed' in checked) return checked.failed;
    const { id, to, at } = checked;
    const lease = `publish:${to}`;
    let got;
    try {
      got = await ctx.leases.acquire(lease, ctx.signal, () => false);
    } catch (e) {
      // The database stayed locked beyond its wait (another process stuck in a transaction).
      return stepFailed(ctx, line, `cannot publish ${input.path} to ${to}: ${(e as Error).message}`, 'store');
    }
    if (got.kind !== 'acquired') return { ok: false };
    // Under the lease: a concurrent run's publish there is recorded before this one looks.
    const target = realParents(to);
    try {
      const user = fileOnTheWay(realPath(root), target, ctx.session) ?? inTheWay(target, id, ctx.session);
      if (user !== undefined) return stepFailed(ctx, line, `cannot publish ${input.path} to ${to}: ${user}`, 'conflict');
      if (!alreadyPublished(target, id, ctx.session)) {
        await ctx.session.store.exportTo(id, to, at, ctx.signal);
        notePublished(target, id, ctx.session);
      }
    } catch (e) {
      // Ctrl-C during a large copy: stopped between slices, its copy removed, what was there before left as it was.
      if (ctx.signal.aborted) return { ok: false };
      return stepFailed(ctx, line, `cannot publish ${input.path} to ${to}: ${publishFailure(to, e)}`, 'store');
    } finally {
      ctx.leases.release(lease);
    }
    ctx.published.push({ step: step.id, path: input.path, to });
    ctx.emit({ type: 'published', path: input.path, to });
  }
  return { ok: true };
}

/** What of the user's publishing at `target` would replace (`inTheWay`); nothing yet where a file Shark published is on its way (removed as it publishes). */
function userFileAt(target: string, id: SnapshotId, ctx: RunContext): string | undefined {
  try {
    return inTheWay(target, id, ctx.session);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Why the publish directory `root` is refused: it, or a directory on its way from the document's, is a link an earlier publish put there. */
function publishedLink(ctx: RunContext, root: string): string | undefined {
  const base = realPath(ctx.session.pipelineDir);
  const left = publishedLinkOnTheWay(base, join(base, relative(ctx.session.pipelineDir, root)), ctx.session);
  return left === undefined ? undefined : `${left} is a symbolic link an earlier publish put there (a copy of one a job made): publishing never writes through it`;
}
