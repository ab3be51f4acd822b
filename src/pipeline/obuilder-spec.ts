import type { Position } from '../diagnostics.js';
import type { SourceLine } from '../markdown/document.js';
import type { BuildSpec, ContextSource, SpecProblem, SpecResult } from './build-spec.js';
import { translateCopy } from './obuilder-copy.js';
import { readSexps, type Sexp } from './sexp.js';

/** A list of operations, `((from …) …)`, as a whole spec is written. */
function isSpecList(sexp: Sexp): sexp is Sexp & { kind: 'list' } {
  return sexp.kind === 'list' && sexp.items[0]?.kind === 'list';
}

/**
 * An OBuilder spec (`((from IMAGE) (run (shell "…")) (copy …) …)`) as the one
 * Dockerfile Shark builds, with what decides its rebuilds: bases, copied
 * sources, their excludes, and whether a step asked for the network.
 */
export function parseObuilder(body: readonly SourceLine[]): SpecResult {
  const parsed = readSexps(body);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  const problems: SpecProblem[] = [];
  const top = parsed.value;
  // A whole spec, then more: what follows it was meant inside (an operation after a `)` too many, a stray word).
  const after = top.length > 1 && isSpecList(top[0]!) ? top[1] : undefined;
  if (after !== undefined) return { ok: false, problems: [{ at: after.at, message: 'this is after the spec\'s closing `)`: an OBuilder spec is one list, ((from IMAGE) (run …) …); move it inside' }] };
  // The spec is one list of operations: ((from ...) (run ...) ...).
  const ops = top.length === 1 && isSpecList(top[0]!) ? top[0]!.items : top;
  const lines: string[] = [];
  const bases: string[] = [];
  const froms: { image: string; at: Position }[] = [];
  const sources: ContextSource[] = [];
  const exclude: Record<string, string[]> = {};
  let network = false;
  let sawFrom = false;
  // OBuilder copies as the current user; Docker's COPY as root unless told.
  let chown: string | undefined;
  const atomsOf = (items: Sexp[]): string[] | undefined =>
    items.every((i) => i.kind === 'atom') ? items.map((i) => (i as { value: string }).value) : undefined;
  const field = (op: Sexp & { kind: 'list' }, name: string): Sexp[] | undefined => {
    const found = op.items.find((i) => i.kind === 'list' && i.items[0]?.kind === 'atom' && i.items[0].value === name);
    return found?.kind === 'list' ? found.items.slice(1) : undefined;
  };

  for (const op of ops) {
    if (op.kind !== 'list' || op.items[0]?.kind !== 'atom') {
      problems.push({ at: op.at, message: 'expected an operation such as (from IMAGE) or (run (shell "..."))' });
      continue;
    }
    const name = op.items[0].value;
    const args = op.items.slice(1);
    // A malformed (from …) is reported as such, not again by every operation after it.
    if (!sawFrom && name !== 'from') {
      problems.push({ at: op.at, message: 'an OBuilder spec must start with (from IMAGE)' });
      break;
    }
    sawFrom = true;
    switch (name) {
      case 'from': {
        const image = atomsOf(args);
        if (image?.length !== 1) problems.push({ at: op.at, message: '(from IMAGE) takes one image' });
        else (bases.push(image[0]!), froms.push({ image: image[0]!, at: args[0]!.at }), lines.push(`FROM ${image[0]}`));
        break;
      }
      case 'run': {
        const unsupported = runFieldProblem(op);
        if (unsupported !== undefined) {
          problems.push(unsupported);
          break;
        }
        const shell = field(op, 'shell');
        const cmd = shell && atomsOf(shell);
        if (cmd?.length !== 1) {
          problems.push({ at: op.at, message: '(run (shell "COMMAND")) needs one shell command' });
          break;
        }
        const net = field(op, 'network');
        if (net !== undefined && net.length > 0) network = true;
        lines.push(`RUN ${cmd[0]!.replace(/\n/g, ' \\\n    ')}`);
        break;
      }
      case 'copy': {
        const src = field(op, 'src');
        const dst = field(op, 'dst');
        const srcs = src && atomsOf(src);
        const dsts = dst && atomsOf(dst);
        if (!srcs?.length || dsts?.length !== 1) {
          problems.push({ at: op.at, message: '(copy (src PATH...) (dst PATH)) needs sources and one destination' });
          break;
        }
        if (field(op, 'from') !== undefined) {
          problems.push({ at: op.at, message: '(copy (from …)) copies from a nested build, which Shark does not support' });
          break;
        }
        const copy = translateCopy(srcs, dsts[0]!, atomsOf(field(op, 'exclude') ?? []) ?? [], chown);
        if (!copy.ok) {
          problems.push({ at: op.at, message: copy.message });
          break;
        }
        sources.push(...copy.sources.map((path, i) => ({ path, at: src?.[i]?.at ?? op.at, by: '(copy …)' })));
        // A name left out is sent for no copy of that source, so it is left out only when every copy of it leaves it
        // out: a copy without `exclude` gets the whole source (and so, Docker copying what was sent, do the others).
        for (const src of copy.sources) {
          exclude[src] = exclude[src] === undefined ? [...new Set(copy.exclude)] : exclude[src]!.filter((name) => copy.exclude.includes(name));
        }
        lines.push(...copy.lines);
        break;
      }
      case 'workdir': {
        const dir = atomsOf(args);
        if (dir?.length !== 1) problems.push({ at: op.at, message: '(workdir DIR) takes one directory' });
        else lines.push(`WORKDIR ${dir[0]}`);
        break;
      }
      case 'env': {
        const kv = atomsOf(args);
        if (kv?.length !== 2) problems.push({ at: op.at, message: '(env NAME VALUE) takes a name and a value' });
        else lines.push(`ENV ${kv[0]}=${JSON.stringify(kv[1])}`);
        break;
      }
      case 'user': {
        const uid = field(op, 'uid');
        const gid = field(op, 'gid');
        const plain = atomsOf(args);
        if (uid && atomsOf(uid)?.length === 1) {
          const g = gid && atomsOf(gid)?.[0];
          // OBuilder reads both as integers; Docker would take a name and fail every job whose image lacks it.
          const named = [['uid', atomsOf(uid)![0]!], ['gid', g]].find(([, v]) => v !== undefined && v !== '' && !/^\d+$/.test(v));
          if (named !== undefined) {
            problems.push({ at: op.at, message: `(user (uid N) (gid N)) takes numbers: ${named[0]} ${named[1]} is not one` });
            break;
          }
          const who = `${atomsOf(uid)![0]}${g ? `:${g}` : ''}`;
          lines.push(`USER ${who}`);
          chown = who === '0' || who === '0:0' ? undefined : who;
        } else if (plain?.length === 1) {
          lines.push(`USER ${plain[0]}`);
          chown = plain[0] === 'root' || plain[0] === '0' ? undefined : plain[0];
        } else problems.push({ at: op.at, message: '(user (uid N) (gid N)) or (user NAME)' });
        break;
      }
      case 'shell': {
        const argv = atomsOf(args);
        if (!argv?.length) problems.push({ at: op.at, message: '(shell ARG...) takes the shell command line' });
        else lines.push(`SHELL ${JSON.stringify(argv)}`);
        break;
      }
      case 'comment':
        break;
      default:
        problems.push({ at: op.at, message: `unknown OBuilder operation \`${name}\`: use from, run, copy, workdir, env, user, shell or comment` });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const spec: BuildSpec = { format: 'obuilder', dockerfile: lines.join('\n') + '\n', bases, contextFiles: sources.map((s) => s.path), sources, network, froms };
  for (const src of Object.keys(exclude)) if (exclude[src]!.length === 0) delete exclude[src];
  return { ok: true, spec: Object.keys(exclude).length > 0 ? { ...spec, exclude } : spec };
}

/**
 * OBuilder's `run` also takes `cache` and `secrets`, which the classic builder
 * Shark uses cannot give: accepting them silently would build something other
 * than the spec says (a missing cache directory, a missing secret).
 */
function runFieldProblem(op: Sexp & { kind: 'list' }): SpecProblem | undefined {
  for (const item of op.items.slice(1)) {
    // A bare atom or an empty list is no field at all: the check for `shell` says what is missing.
    if (item.kind !== 'list' || item.items[0]?.kind !== 'atom') continue;
    const name = item.items[0].value;
    if (name === 'shell' || name === 'network') continue;
    if (name === 'cache') return { at: item.at, message: "(run (cache …)) is not supported: Shark builds with the Docker engine's classic builder, which has no cache mounts; leave it out and have the command create the directory it needs (each build then starts without the cache)" };
    if (name === 'secrets') return { at: item.at, message: '(run (secrets …)) is not supported: a build gets no secrets (they would stay in the image); give credentials to run steps with the frontmatter `secrets:` list' };
    return { at: item.at, message: `unknown field \`${name}\` of (run …): it takes (shell "COMMAND") and (network host)` };
  }
  return undefined;
}
