import type { Position } from '../diagnostics.js';
import type { SourceLine } from '../markdown/document.js';
import { declareArgs, expandWord, expandedSource, fromProblem, stageVariables } from './dockerfile-args.js';
import { argumentProblem, execForm, instructions } from './dockerfile-instructions.js';
import { upwardSource } from './obuilder-copy.js';
import { parseObuilder } from './obuilder-spec.js';
import { opensWithList } from './sexp.js';

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
  /** Each image a FROM names (not a stage of the same Dockerfile), where it is written: for messages. */
  readonly froms?: readonly { readonly image: string; readonly at: Position }[];
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

/** Options of these instructions that only BuildKit knows: the classic builder fails the build on them. */
const BUILDKIT_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  RUN: ['--mount', '--network', '--security'],
  COPY: ['--chmod', '--link', '--parents', '--exclude'],
  ADD: ['--chmod', '--link', '--checksum', '--keep-git-dir', '--exclude'],
};

/** The first BuildKit-only option among an instruction's leading options (`RUN --mount=type=cache,…`). */
function buildKitOption(instruction: string, args: readonly string[]): string | undefined {
  const known = BUILDKIT_OPTIONS[instruction];
  if (known === undefined) return undefined;
  for (const a of args) {
    if (!a.startsWith('--')) return undefined;
    if (known.includes(a.split('=')[0]!)) return a;
  }
  return undefined;
}

/** `<<EOT`, `<<-'END'`: a here-document, which BuildKit reads in these instructions and the classic builder does not. */
const HEREDOC = /<<-?\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/y;
const HERE_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

/**
 * The here-document an instruction opens, as the shell reads one: not a `<<` in
 * quotes (`python3 -c "print(1 << n)"`), in arithmetic (`$(( 1 << n ))`), nor a
 * here-string (`<<<`), which the classic builder runs as they are.
 */
function hereDocument(text: string): RegExpExecArray | null {
  let quote: string | undefined;
  let arithmetic = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '\\') i++;
    else if (c === '"' || c === "'") quote = c;
    else if (text.startsWith('$((', i)) {
      arithmetic++;
      i += 2;
    } else if (arithmetic > 0 && text.startsWith('))', i)) {
      arithmetic--;
      i++;
    } else if (text.startsWith('<<<', i)) i += 2;
    else if (arithmetic === 0 && text.startsWith('<<', i)) {
      HEREDOC.lastIndex = i;
      const found = HEREDOC.exec(text);
      if (found !== null) return found;
      i++;
    }
  }
  return null;
}

function parseDockerfile(body: readonly SourceLine[]): SpecResult {
  const problems: SpecProblem[] = [];
  const bases: string[] = [];
  const froms: { image: string; at: Position }[] = [];
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
  // The delimiter of a here-document being skipped: its lines are its text, not instructions.
  let hereEnd: string | undefined;
  for (const { at, text, placeOf } of instructions(body)) {
    if (hereEnd !== undefined) {
      if (text.trim() === hereEnd) hereEnd = undefined;
      continue;
    }
    const tokens = [...text.matchAll(/\S+/g)];
    const [word = '', ...args] = tokens.map((t) => t[0]);
    const instruction = word.toUpperCase();
    const here = HERE_INSTRUCTIONS.has(instruction) ? hereDocument(text) : null;
    if (here !== null) {
      problems.push({ at, message: `\`${word} ${here[0]}\`: a here-document needs BuildKit, and Shark builds with the engine's classic builder: chain the commands with && (and \\ at line ends), or COPY a script and RUN it` });
      hereEnd = here[2]!;
      continue;
    }
    if (!INSTRUCTIONS.has(instruction)) {
      problems.push({ at, message: `unknown Dockerfile instruction \`${word}\`` });
      continue;
    }
    const buildKit = buildKitOption(instruction, args);
    if (buildKit !== undefined) {
      const offset = text.indexOf(buildKit);
      problems.push({ at: placeOf(offset), message: `\`${word} ${buildKit.split('=')[0]}\` needs BuildKit, and Shark builds with the engine's classic builder, which refuses it: leave it out (RUN a cache of your own, COPY then RUN chmod)` });
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
      if (problem === undefined && expanded.ok && !stages.has(expanded.value.toLowerCase())) {
        froms.push({ image: expanded.value, at: placeOf(tokens.find((t) => t[0] === image)!.index) });
      }
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
      // At the source, as a missing one is said.
      const up = copied.map((src) => ({ src, message: upwardSource(instruction, src.path, 'dockerfile') })).find((u) => u.message !== undefined);
      if (up !== undefined) problems.push({ at: up.src.offset < 0 ? at : placeOf(up.src.offset), message: up.message! });
      sources.push(...copied.map((src) => ({ path: src.path, at: src.offset < 0 ? at : placeOf(src.offset), by: instruction })));
    }
  }
  if (!sawFrom && problems.length === 0) problems.push({ at: { line: body[0]!.line, col: body[0]!.col }, message: 'a Dockerfile must start with FROM' });
  if (problems.length > 0) return { ok: false, problems };
  const defaults = [...metaArgs].filter((a): a is [string, string] => a[1] !== undefined);
  const contextFiles = sources.map((s) => s.path);
  const spec: BuildSpec = { format: 'dockerfile', dockerfile: body.map((l) => l.text).join('\n') + '\n', bases, contextFiles, sources, network: true, froms };
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
