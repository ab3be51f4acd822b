"""Reads Shark's PROV exports back with independent libraries and prints what
they found, as one JSON object, for the tests to compare with the run.

    read-prov.py json FILE      PROV-JSON, read with python3-prov
    read-prov.py jsonld FILE    PROV-O JSON-LD, parsed with python3-rdflib (no network)
"""
import json
import sys


def read_prov_json(path):
    from prov.model import (ProvActivity, ProvAgent, ProvAssociation, ProvDelegation, ProvDerivation,
                            ProvDocument, ProvEntity, ProvGeneration, ProvMembership, ProvUsage)
    with open(path) as f:
        doc = ProvDocument.deserialize(f, format='json')
    count = lambda cls: len(list(doc.get_records(cls)))
    activities = {}
    for a in doc.get_records(ProvActivity):
        activities[str(a.identifier)] = {
            'start': a.get_startTime().isoformat() if a.get_startTime() else None,
            'end': a.get_endTime().isoformat() if a.get_endTime() else None,
        }
    digests = {}
    for e in doc.get_records(ProvEntity):
        for value in e.get_attribute('shark:sha256'):
            paths = list(e.get_attribute('shark:path'))
            digests[str(paths[0]) if paths else str(e.identifier)] = str(value)
    paths = {e.identifier: str(next(iter(e.get_attribute('shark:path')), e.identifier)) for e in doc.get_records(ProvEntity)}
    members = {}
    for m in doc.get_records(ProvMembership):
        members.setdefault(m.args[0], []).append(paths.get(m.args[1], str(m.args[1])))
    collections = {}
    for e in doc.get_records(ProvEntity):
        if 'prov:Collection' in [str(t) for t in e.get_attribute('prov:type')]:
            collections.setdefault(paths[e.identifier], []).extend(members.get(e.identifier, []))
    generated = {}
    for g in doc.get_records(ProvGeneration):
        attrs = dict(g.formal_attributes)
        entity = attrs.get(next(k for k in attrs if str(k) == 'prov:entity'))
        activity = attrs.get(next(k for k in attrs if str(k) == 'prov:activity'))
        generated[str(entity)] = str(activity)
    variables = {}
    entities = {e.identifier: e for e in doc.get_records(ProvEntity)}
    for u in doc.get_records(ProvUsage):
        e = entities.get(u.args[1])
        if e is None or 'shark:Variable' not in [str(t) for t in e.get_attribute('prov:type')]:
            continue
        name = str(next(iter(e.get_attribute('shark:name'))))
        variables.setdefault(str(u.args[0]), {})[name] = str(next(iter(e.get_attribute('prov:value'))))
    sources = {}
    for u in doc.get_records(ProvUsage):
        e = entities.get(u.args[1])
        if e is None or 'shark:Source' not in [str(t) for t in e.get_attribute('prov:type')]:
            continue
        sources[str(u.args[0])] = {str(k): str(v) for k, v in e.attributes if str(k).startswith('shark:')}
    return {
        'activities': count(ProvActivity),
        'entities': count(ProvEntity),
        'agents': count(ProvAgent),
        'used': count(ProvUsage),
        'wasGeneratedBy': count(ProvGeneration),
        'wasDerivedFrom': count(ProvDerivation),
        'wasAssociatedWith': count(ProvAssociation),
        'actedOnBehalfOf': count(ProvDelegation),
        'hadMember': count(ProvMembership),
        'activityTimes': activities,
        'sha256': digests,
        'generatedBy': generated,
        'collections': {k: sorted(v) for k, v in collections.items()},
        'ordering': ordering(doc),
        'variables': variables,
        'sources': sources,
        'dataIris': sorted([str(next(iter(e.get_attribute('shark:path')))), e.identifier.uri] for e in doc.get_records(ProvEntity) if e.get_attribute('shark:path')),
    }


def ordering(doc):
    """The event-ordering constraints of PROV-CONSTRAINTS the document breaks, given that a
    generation or a usage happens between its activity's start and end: generation-precedes-usage
    (of an entity, or of a member of a collection used), derivation-generation-generation-ordering,
    and generation-generation-ordering (two generations of one entity are simultaneous)."""
    from prov.model import ProvActivity, ProvDerivation, ProvGeneration, ProvMembership, ProvUsage
    acts = {a.identifier: a for a in doc.get_records(ProvActivity)}
    start = lambda a: acts[a].get_startTime()
    end = lambda a: acts[a].get_endTime()
    after = lambda a1, a2: end(a2) is not None and start(a1) > end(a2)
    gens, members = {}, {}
    for g in doc.get_records(ProvGeneration):
        gens.setdefault(g.args[0], set()).add(g.args[1])
    for m in doc.get_records(ProvMembership):
        members.setdefault(m.args[0], []).append(m.args[1])

    def within(e, seen):
        if e in seen:
            return
        seen.add(e)
        for m in members.get(e, []):
            within(m, seen)
        return seen

    problems = []
    for u in doc.get_records(ProvUsage):
        user, used = u.args[0], u.args[1]
        for e in sorted(within(used, set()), key=str):
            for g in sorted(gens.get(e, []), key=str):
                if after(g, user):
                    problems.append(f'generation-precedes-usage: {user} used {e}, generated by {g}, which started after it ended')
    for d in doc.get_records(ProvDerivation):
        e2, e1 = d.args[0], d.args[1]
        for g1 in gens.get(e1, []):
            for g2 in gens.get(e2, []):
                if after(g1, g2):
                    problems.append(f'derivation-generation-generation-ordering: {e2} derived from {e1}, generated later by {g1}')
    for e, gs in gens.items():
        for g1 in gs:
            for g2 in gs:
                if after(g1, g2):
                    problems.append(f'generation-generation-ordering: {e} generated by {g1} and by {g2}, at different times')
    return problems


def read_prov_jsonld(path):
    import rdflib
    g = rdflib.Graph()
    with open(path) as f:
        g.parse(data=f.read(), format='json-ld', base='urn:shark:test:')
    prov = rdflib.Namespace('http://www.w3.org/ns/prov#')
    count_type = lambda t: len(set(g.subjects(rdflib.RDF.type, t)))
    count_pred = lambda p: len(list(g.triples((None, p, None))))
    return {
        'activities': count_type(prov.Activity),
        'entities': count_type(prov.Entity),
        'agents': count_type(prov.Agent),
        'used': count_pred(prov.used),
        'wasGeneratedBy': count_pred(prov.wasGeneratedBy),
        'wasDerivedFrom': count_pred(prov.wasDerivedFrom),
        'wasAssociatedWith': count_pred(prov.wasAssociatedWith),
        'actedOnBehalfOf': count_pred(prov.actedOnBehalfOf),
        'hadMember': count_pred(prov.hadMember),
        'dataIris': sorted([str(o), str(s)] for s, o in g.subject_objects(rdflib.URIRef('https://shark.invalid/vocab#path'))),
    }


if __name__ == '__main__':
    mode, path = sys.argv[1], sys.argv[2]
    found = read_prov_json(path) if mode == 'json' else read_prov_jsonld(path)
    print(json.dumps(found, sort_keys=True))
