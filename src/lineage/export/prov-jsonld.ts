import type { ProvModel, ProvNode, RelationKind, Value } from './prov-model.js';

/** Where each PROV-JSON relation goes in PROV-O: the subject's argument and the property. */
const PROPERTY: Record<RelationKind, { subject: string; object: string; property: string }> = {
  used: { subject: 'prov:activity', object: 'prov:entity', property: 'prov:used' },
  wasGeneratedBy: { subject: 'prov:entity', object: 'prov:activity', property: 'prov:wasGeneratedBy' },
  wasDerivedFrom: { subject: 'prov:generatedEntity', object: 'prov:usedEntity', property: 'prov:wasDerivedFrom' },
  wasAssociatedWith: { subject: 'prov:activity', object: 'prov:agent', property: 'prov:wasAssociatedWith' },
  actedOnBehalfOf: { subject: 'prov:delegate', object: 'prov:responsible', property: 'prov:actedOnBehalfOf' },
  hadMember: { subject: 'prov:collection', object: 'prov:entity', property: 'prov:hadMember' },
  alternateOf: { subject: 'prov:alternate1', object: 'prov:alternate2', property: 'prov:alternateOf' },
};

const literal = (v: Value): unknown => (typeof v === 'object' ? { '@id': v.$ } : v);

/**
 * The same model as PROV-O in JSON-LD, with its whole context inline so
 * nothing is fetched to read it: classes become `@type`s, relations the PROV-O
 * properties, and an association also a qualified one carrying its plan.
 */
export function toProvJsonLd(model: ProvModel): object {
  const nodes = new Map<string, Record<string, unknown>>();
  const add = (kind: string, n: ProvNode, extra: Record<string, unknown> = {}): void => {
    const attrs = Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k === 'prov:label' ? 'rdfs:label' : k, literal(v)]));
    nodes.set(n.id, { '@id': n.id, '@type': [kind, ...n.types], ...extra, ...attrs });
  };
  const time = (t: string): object => ({ '@value': t, '@type': 'xsd:dateTime' });
  for (const e of model.entities) add('prov:Entity', e);
  for (const a of model.activities) add('prov:Activity', a, { ...(a.start !== undefined ? { 'prov:startedAtTime': time(a.start) } : {}), ...(a.end !== undefined ? { 'prov:endedAtTime': time(a.end) } : {}) });
  for (const a of model.agents) add('prov:Agent', a);
  const push = (id: string, property: string, value: object): void => {
    const node = nodes.get(id) ?? { '@id': id };
    nodes.set(id, node);
    // Appended, not copied: a reduce uses every one of a map's thousands of outputs.
    const values = (node[property] as object[] | undefined) ?? [];
    node[property] = values;
    values.push(value);
  };
  for (const r of model.relations) {
    const p = PROPERTY[r.kind]!;
    const subject = r.args[p.subject]!;
    push(subject, p.property, { '@id': r.args[p.object]! });
    if (r.kind === 'wasAssociatedWith') {
      push(subject, 'prov:qualifiedAssociation', {
        '@type': 'prov:Association', 'prov:agent': { '@id': r.args['prov:agent']! },
        ...(r.args['prov:plan'] !== undefined ? { 'prov:hadPlan': { '@id': r.args['prov:plan'] } } : {}),
      });
    }
  }
  return {
    '@context': {
      prov: 'http://www.w3.org/ns/prov#',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
      rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
      ...model.prefixes,
    },
    '@graph': [...nodes.values()],
  };
}
