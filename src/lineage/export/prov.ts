import type { ProvModel, Value } from './prov-model.js';
import { typeValues } from './prov-model.js';

/** The W3C PROV-JSON serialisation (https://www.w3.org/submissions/prov-json/) of a run's model. */
export function toProvJson(model: ProvModel): object {
  const node = (types: readonly string[], attrs: Readonly<Record<string, Value>>): Record<string, unknown> =>
    types.length === 0 ? { ...attrs } : { 'prov:type': typeValues(types), ...attrs };
  const section = <T extends { id: string }>(list: readonly T[], body: (x: T) => object): Record<string, object> =>
    Object.fromEntries(list.map((x) => [x.id, body(x)]));
  const relations: Record<string, Record<string, Record<string, string>>> = {};
  const counters: Record<string, number> = {};
  for (const r of model.relations) {
    const n = (counters[r.kind] = (counters[r.kind] ?? 0) + 1);
    (relations[r.kind] ??= {})[`_:${r.kind}${n}`] = { ...r.args };
  }
  return {
    prefix: { ...model.prefixes },
    entity: section(model.entities, (e) => node(e.types, e.attrs)),
    activity: section(model.activities, (a) => ({
      ...(a.start !== undefined ? { 'prov:startTime': a.start } : {}), ...(a.end !== undefined ? { 'prov:endTime': a.end } : {}), ...node(a.types, a.attrs),
    })),
    agent: section(model.agents, (a) => node(a.types, a.attrs)),
    ...relations,
  };
}
