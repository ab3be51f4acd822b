import type { KeyRecord } from '../../plan/key.js';
import type { CrateEntity, Ref } from './crate-data.js';
import type { RunJob } from './run-jobs.js';

const ref = (id: string): Ref => ({ '@id': id });
const parameterId = (name: string): string => `#parameter-${encodeURIComponent(name)}`;
const valueId = (name: string, value: string): string => `#variable-${encodeURIComponent(name)}=${encodeURIComponent(value)}`;

/**
 * The variables of a run's jobs (frontmatter, config file, `-e`: each step's
 * environment, and part of its key) as Workflow Run Crate describes
 * environment variables: each value a `PropertyValue` in the `environment`
 * of the actions that had it, realising (`exampleOfWork`) the
 * `FormalParameter` of that name, which the tools and the workflow list in
 * their own `environment`.
 */
export interface CrateVariables {
  /** The FormalParameters, then the PropertyValues. */
  readonly entities: readonly CrateEntity[];
  /** The PropertyValues of these variables. */
  values(variables: KeyRecord['variables']): Ref[];
  /** The FormalParameters of the variables these jobs had, each once. */
  parameters(jobs: readonly RunJob[]): Ref[];
  /** Every PropertyValue: the values the run's jobs had. */
  readonly all: readonly Ref[];
}

export function crateVariables(jobs: readonly RunJob[]): CrateVariables {
  const parameters = new Map<string, CrateEntity>();
  const values = new Map<string, CrateEntity>();
  for (const j of jobs) {
    for (const [name, value] of j.record.record.variables) {
      if (!parameters.has(name)) parameters.set(name, { '@id': parameterId(name), '@type': 'FormalParameter', name, additionalType: 'Text' });
      const id = valueId(name, value);
      if (!values.has(id)) values.set(id, { '@id': id, '@type': 'PropertyValue', name, value, exampleOfWork: ref(parameterId(name)) });
    }
  }
  return {
    entities: [...parameters.values(), ...values.values()],
    values: (variables) => variables.map(([name, value]) => ref(valueId(name, value))),
    parameters: (some) => [...new Set(some.flatMap((j) => j.record.record.variables.map(([name]) => name)))].map((name) => ref(parameterId(name))),
    all: [...values.keys()].map(ref),
  };
}

/** `environment` with these references, or nothing when there are none. */
export const environmentOf = (refs: readonly Ref[]): { environment?: readonly Ref[] } => (refs.length === 0 ? {} : { environment: refs });
