import type { LineageRecord } from '../record.js';
import { shownPin } from '../../imports/shown-url.js';
import { SHARK_NS } from '../export/namespace.js';
import type { FileDigest } from './digests.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1';
export const BUILD_TYPE = `${SHARK_NS}build-types/job/v1`;

interface Dependency {
  readonly name: string;
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
}

/** An in-toto Statement v1 with a SLSA Provenance v1 predicate: the payload of a job's envelope. */
export interface Statement {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly FileDigest[];
  readonly predicateType: typeof SLSA_PROVENANCE;
  readonly predicate: {
    readonly buildDefinition: {
      readonly buildType: string;
      readonly externalParameters: Readonly<Record<string, unknown>> & { readonly command: string };
      readonly internalParameters: Readonly<Record<string, unknown>>;
      readonly resolvedDependencies: readonly Dependency[];
    };
    readonly runDetails: {
      readonly builder: { readonly id: string; readonly version: Readonly<Record<string, string>> };
      readonly metadata: { readonly invocationId: string; readonly startedOn: string; readonly finishedOn: string };
    };
  };
}

/** The environment as a dependency: a container image by its digest, the host by name. */
function environment(env: string): Dependency {
  const image = /^docker:sha256:([0-9a-f]{64})$/.exec(env);
  return { name: 'environment', uri: `${SHARK_NS}environment/${encodeURIComponent(env)}`, ...(image ? { digest: { sha256: image[1]! } } : {}) };
}

/**
 * What a signature on a job asserts: these outputs (subjects) came from this
 * command in this environment, reading these inputs (resolved dependencies),
 * as job `job` of run `runId`. The definition is the key record's, so it is
 * exactly what the cache key was computed from. `hostInputs`: the document's
 * frontmatter inputs (/data paths) the job read from, signed so that `verify`
 * tells data from the host from a step's output without today's document,
 * which can be edited to call any file an input.
 */
export function statementFor(r: LineageRecord, job: string, subjects: readonly FileDigest[], inputs: readonly FileDigest[], hostInputs?: readonly string[]): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: subjects,
    predicateType: SLSA_PROVENANCE,
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: {
          pipeline: r.meta.file, block: r.meta.block, step: r.meta.step, location: `${r.meta.file}:${r.meta.line}:${r.meta.col}`,
          command: r.meta.command, items: r.meta.items,
        },
        internalParameters: {
          cacheKey: r.key, environment: r.record.env, cwd: r.record.cwd, workdir: r.record.workdir,
          variables: Object.fromEntries(r.record.variables), network: r.record.network,
          ...(r.record.pin !== undefined ? { source: shownPin(r.record.pin) } : {}),
          ...(hostInputs !== undefined ? { hostInputs } : {}),
          host: r.meta.host,
        },
        resolvedDependencies: [...inputs.map((i) => ({ name: i.name, digest: i.digest })), environment(r.record.env)],
      },
      runDetails: {
        builder: { id: `${SHARK_NS}builder/shark`, version: { shark: r.meta.version } },
        metadata: {
          invocationId: `${SHARK_NS}run/${r.runId}/job/${encodeURIComponent(job)}`,
          startedOn: new Date(r.started).toISOString(), finishedOn: new Date(r.ended).toISOString(),
        },
      },
    },
  };
}

