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
    }


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
    }


if __name__ == '__main__':
    mode, path = sys.argv[1], sys.argv[2]
    found = read_prov_json(path) if mode == 'json' else read_prov_jsonld(path)
    print(json.dumps(found, sort_keys=True))
