import { isUnder } from '../pipeline/data-path.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import type { DataState, Lookup } from './data-state.js';

/** As the kernel counts them (`contained.ts`): more hops than this is a loop. */
const MAX_LINKS = 40;

/** What a job must be given beside an input path to read it through the links on its way. */
export type LinkedReads =
  /** `inside`: false when a link on the way leads out of /data, where the reads end. */
  | { readonly kind: 'reads'; readonly reads: readonly { readonly path: string; readonly id: SnapshotId }[]; readonly inside: boolean }
  | Exclude<Lookup, { kind: 'known' }>;

/**
 * The data a read of `path` reaches through symbolic links stored in /data
 * (one an imported directory keeps because it stays inside it, or one a
 * step made): each link on the way, as itself, and the path it finally
 * leads to. Placed alone, a link dangles in the job's workspace; placed with
 * its target, the job reads what the link stands for and its key holds the
 * target's bytes, not only the link's text. Links are resolved inside /data
 * only, as the kernel would in a container: one leading out of it is left
 * to the executor (a host job is refused it: `host-links.ts`). Undefined
 * when no link is on the way.
 */
export function linkedReads(path: string, state: DataState): LinkedReads | undefined {
  const reads: { path: string; id: SnapshotId }[] = [];
  const todo = path.slice('/data/'.length).split('/').reverse();
  let at = '/data';
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (name === '' || name === '.') continue;
    if (name === '..') {
      // Out of /data: the link stays what it is (the caller's own check decides).
      if (at === '/data') return reads.length === 0 ? undefined : { kind: 'reads', reads, inside: false };
      at = at.slice(0, at.lastIndexOf('/'));
      continue;
    }
    const next = `${at}/${name}`;
    const found = state.lookup(next);
    if (found.kind !== 'known') return reads.length === 0 ? undefined : through(reads, found);
    if (!found.id.startsWith('link:')) {
      at = next;
      continue;
    }
    const target = found.id.slice('link:'.length);
    if (reads.length >= MAX_LINKS) return { kind: 'missing', message: `${path} leads round a loop of symbolic links (${reads.map((r) => r.path).join(', ')}, …)` };
    reads.push({ path: next, id: found.id });
    if (target.startsWith('/')) {
      if (target !== '/data' && !isUnder(target, '/data')) return { kind: 'reads', reads, inside: false };
      at = '/data';
      todo.push(...target.slice('/data'.length).split('/').reverse());
    } else {
      todo.push(...target.split('/').reverse());
    }
  }
  if (reads.length === 0) return undefined;
  const end = state.lookup(at);
  if (end.kind !== 'known') return through(reads, end);
  // The last link's target may be /data itself: every input is already under it.
  if (at !== '/data') reads.push({ path: at, id: end.id });
  return { kind: 'reads', reads, inside: true };
}

/** What is not there (or not yet) at the end of a link, said as where the link leads. */
function through(reads: readonly { path: string; id: SnapshotId }[], found: Exclude<Lookup, { kind: 'known' }>): LinkedReads {
  if (found.kind !== 'missing') return found;
  const link = reads.at(-1)!;
  return { kind: 'missing', message: `${link.path} is a symbolic link to \`${link.id.slice('link:'.length)}\`, but ${found.message}` };
}
