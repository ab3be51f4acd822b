import type { Position } from '../diagnostics.js';
import type { SourceLine } from '../markdown/document.js';
import { declareArgs, expandWord, expandedSource, fromProblem, stageVariables } from './dockerfile-args.js';
import { argumentProblem, execForm, instructions } from './dockerfile-instructions.js';
import { translateCopy, upwardSource } from './obuilder-copy.js';
import { opensWithList, readSexps, type Sexp } from './sexp.js';

/** A container environment, reduced to one Dockerfile whatever form it was written in. */
export interface BuildSpec {
  readonly format: 'dockerfile' | 'obuilder';
  readonly dockerfile: string;
  /**
   * Base images named by FROM, with the defaults of the ARGs before it substituted (`FROM $IMG`),
   * and images that `COPY --from=IMAGE` takes files from: a rebuild must start from the same files.
   */
  readonly bases: readonly string[];
  /** Build-context paths that COPY/ADD take: their content decides rebuilds too. */
  readonly contextFiles: readonly string[];
  /** Where each of `contextFiles` is written, and by what: one that names nothing is an error there (plan, run). */
  readonly sources?: readonly ContextSource[];
  /** Steps that asked for the network while building (`(network host)`). */
  readonly network: boolean;
  /** OBuilder `(exclude NAME...)`: per context source, basenames left out below it. */
  readonly exclude?: Readonly<Record<string, readonly string[]>>;
  /** The defaults of the ARGs before the first FROM, which FROM may name: pinning a base resolves them too. */
  readonly args?: Readonly<Record<string, string>>;
}

export interface ContextSource {
  readonly path: string;
  readonly at: Position;
  /** `COPY`, `ADD` or `(copy …)`: how the message names it. */
  readonly by: string;
}

export interface SpecProblem {
  readonly at: Position;
  readonly message: string;
}

export type SpecResult = { ok: true; spec: BuildSpec } | { ok: false; problems: SpecProblem[] };

export function parseBuildSpec(body: readonly SourceLine[], blockAt: Position): SpecResult {
  const first = body.find((l) => l.text.trim() !== '');
  if (first === undefined) return { ok: false, problems: [{ at: blockAt, message: 'empty shark-build block: write a Dockerfile or an OBuilder spec' }] };
  return opensWithList(body) ? parseObuilder(body) : parseDockerfile(body);
}

const INSTRUCTIONS = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT',
  'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);

function parseDockerfile(body: readonly SourceLine[]): SpecResult {
  const problems: SpecProblem[] = [];
  const bases: string[] = [];
  const sources: ContextSource[] = [];
  // ARGs before the first FROM: they alone can name a base.
  const metaArgs = new Map<string, string | undefined>();
  // `FROM … AS name`: a COPY --from naming one (or a stage's number) takes no image.
  const stages = new Set<string>();
  let stageCount = 0;
  let sawFrom = false;
  // The ARGs and ENVs of the stage so far: the builder expands them in a COPY source (`COPY ${SRC}/f.txt`).
  let stageVars = new Map<string, string | undefined>();
  // Each stage's ENVs, by its name and number: `FROM build` starts with those of stage `build`.
  const stageEnvs = new Map<string, Map<string, string | undefined>>();
  let stageEnv = new Map<string, string | undefined>();
  for (const { at, text, placeOf } of instructions(body)) {
    const tokens = [...text.matchAll(/\S+/g)];
    const [word = '', ...args] = tokens.map((t) => t[0]);
    const instruction = word.toUpperCase();
    if (!INSTRUCTIONS.has(instruction)) {
      problems.push({ at, message: `unknown Dockerfile instruction \`${word}\`` });
      continue;
    }
    if (!sawFrom && instruction !== 'FROM' && instruction !== 'ARG') {
      problems.push({ at, message: 'a Dockerfile must start with FROM' });
      sawFrom = true;
      continue;
    }
    const needs = argumentProblem(instruction, text.slice(word.length));
    if (needs !== undefined) {
      problems.push({ at, message: needs });
      continue;
    }
    if (instruction === 'ARG' && !sawFrom) {
      const declared = declareArgs(text.slice(word.length), metaArgs);
      if (!declared.ok) problems.push({ at, message: declared.message });
    } else if (instruction === 'ARG' || instruction === 'ENV') {
      stageVariables(instruction, text.slice(word.length), stageVars, metaArgs, stageEnv);
    }
    if (instruction === 'FROM') {
      sawFrom = true;
      const image = args.find((a) => !a.startsWith('--'));
      if (image === undefined) {
        problems.push({ at, message: 'FROM needs an image' });
        continue;
      }
      const expanded = expandWord(image, metaArgs);
      const from = expanded.ok ? stageEnvs.get(expanded.value.toLowerCase()) : undefined;
      stageEnv = new Map(from);
      stageVars = new Map(from);
      const problem = fromProblem(image, expanded, metaArgs);
      if (problem !== undefined) problems.push({ at, message: problem });
      else if (expanded.ok) bases.push(expanded.value);
      const named = args.slice(args.indexOf(image) + 1);
      if (named[0]?.toUpperCase() === 'AS' && named[1] !== undefined) {
        stages.add(named[1].toLowerCase());
        stageEnvs.set(named[1].toLowerCase(), stageEnv);
      }
      stageEnvs.set(String(stageCount), stageEnv);
      stages.add(String(stageCount++));
    }
    const copied = instruction === 'COPY' ? copyFromImage(args, stages) : undefined;
    if (copied !== undefined && !bases.includes(copied)) bases.push(copied);
    if ((instruction === 'COPY' || instruction === 'ADD') && !args.some((a) => a.startsWith('--from'))) {
      const words = tokens.slice(1).filter((t) => !t[0].startsWith('--'));
      const json = execForm(words.map((t) => t[0]).join(' '));
      // Each source placed where it is written: in the JSON form, at its quoted text.
      const paths = (json?.map((p) => ({ path: p, offset: text.indexOf(JSON.stringify(p), words[0]?.index ?? 0) }))
        ?? words.map((t) => ({ path: t[0], offset: t.index }))).map((p) => ({ ...p, path: expandedSource(p.path, stageVars) }));
      if (paths.length < 2) problems.push({ at, message: `${instruction} needs a source and a destination` });
      const copied = paths.slice(0, -1).filter((p) => !/^https?:\/\//.test(p.path));
      const up = copied.map((src) => upwardSource(instruction, src.path, 'dockerfile')).find((m) => m !== undefined);
      if (up !== undefined) problems.push({ at, message: up });
      sources.push(...copied.map((src) => ({ path: src.path, at: src.offset < 0 ? at : placeOf(src.offset), by: instruction })));
    }
  }
  if (!sawFrom && problems.length === 0) problems.push({ at: { line: body[0]!.line, col: body[0]!.col }, message: 'a Dockerfile must start with FROM' });
  if (problems.length > 0) return { ok: false, problems };
  const defaults = [...metaArgs].filter((a): a is [string, string] => a[1] !== undefined);
  const contextFiles = sources.map((s) => s.path);
  const spec: BuildSpec = { format: 'dockerfile', dockerfile: body.map((l) => l.text).join('\n') + '\n', bases, contextFiles, sources, network: true };
  return { ok: true, spec: defaults.length > 0 ? { ...spec, args: Object.fromEntries(defaults) } : spec };
}

/**
 * The image a `COPY --from=REF` takes files from, or undefined when REF is a
 * stage of this Dockerfile (by name, case-insensitively as Docker does, or
 * by number) or names an ARG, which Shark does not resolve there.
 */
function copyFromImage(args: readonly string[], stages: ReadonlySet<string>): string | undefined {
  const ref = args.find((a) => a.startsWith('--from='))?.slice('--from='.length);
  if (ref === undefined || ref === '' || ref.includes('$') || stages.has(ref.toLowerCase())) return undefined;
  return ref;
}

function parseObuilder(body: readonly SourceLine[]): SpecResult {
  const parsed = readSexps(body);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  const problems: SpecProblem[] = [];
  const top = parsed.value;
  // The spec is one list of operations: ((from ...) (run ...) ...).
  const ops = top.length === 1 && top[0]!.kind === 'list' && top[0]!.items[0]?.kind === 'list' ? top[0]!.items : top;
  const lines: string[] = [];
  const bases: string[] = [];
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
        else (bases.push(image[0]!), lines.push(`FROM ${image[0]}`));
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
  const spec: BuildSpec = { format: 'obuilder', dockerfile: lines.join('\n') + '\n', bases, contextFiles: sources.map((s) => s.path), sources, network };
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
