"""Parses a crate's ro-crate-metadata.json with python3-rdflib (against a base
IRI, with no network) and answers, with SPARQL, the questions `shark lineage`
answers: which job made each file, and which files each job read; and what
each file's sha256 is once read as JSON-LD. Prints one JSON object:
{"madeBy": {path: [job…]}, "read": {job: [path…]}, "sha256": {path: hex},
"undefined": [term…], "triples": N}.

The RO-Crate 1.1 context is a URL; offline, it is read from a copy of the
real one (ro-crate-1.1-context.jsonld: docs/_specification/1.1/context.jsonld
of ResearchObject/ro-crate, version 1.1.3, CC0), and the crate's own
additions to @context are kept. `undefined` lists the terms (properties and
types) neither defines: a JSON-LD reader drops them.
"""
import json
import os
import sys

import rdflib

CONTEXT_URL = 'https://w3id.org/ro/crate/1.1/context'
CONTEXT_COPY = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ro-crate-1.1-context.jsonld')

MADE_BY = """
PREFIX schema: <http://schema.org/>
SELECT ?path ?job WHERE {
  ?workflow schema:hasPart ?tool .
  ?action a schema:CreateAction ; schema:instrument ?tool ; schema:identifier ?job ; schema:result ?file .
  ?file schema:alternateName ?path .
}"""

READ = """
PREFIX schema: <http://schema.org/>
SELECT ?job ?path WHERE {
  ?workflow schema:hasPart ?tool .
  ?action a schema:CreateAction ; schema:instrument ?tool ; schema:identifier ?job ; schema:object ?file .
  ?file schema:alternateName ?path .
}"""

SHA256 = """
PREFIX schema: <http://schema.org/>
SELECT ?path ?sha WHERE { ?file a schema:MediaObject ; schema:alternateName ?path ; schema:sha256 ?sha . }"""


def offline(context):
    """The crate's @context with the 1.1 context's URL replaced by the copy's terms."""
    with open(CONTEXT_COPY) as f:
        real = json.load(f)['@context']
    parts = context if isinstance(context, list) else [context]
    if not parts or parts[0] != CONTEXT_URL:
        raise SystemExit(f'unexpected @context: {context!r}')
    return [real, *parts[1:]]


def undefined_terms(doc, contexts):
    defined = set()
    for c in contexts:
        if not isinstance(c, dict):
            raise SystemExit(f'unexpected @context entry: {c!r}')
        defined.update(c)
    absolute = lambda t: ':' in t
    found = set()
    for entity in doc['@graph']:
        types = entity.get('@type', [])
        for t in types if isinstance(types, list) else [types]:
            found.add(t)
        found.update(k for k in entity if not k.startswith('@'))
    return sorted(t for t in found if t not in defined and not absolute(t))


def main(crate_dir):
    with open(f'{crate_dir}/ro-crate-metadata.json') as f:
        doc = json.load(f)
    doc['@context'] = offline(doc.get('@context'))
    g = rdflib.Graph()
    g.parse(data=json.dumps(doc), format='json-ld', base=f'file://{crate_dir}/')
    made_by, read = {}, {}
    for path, job in g.query(MADE_BY):
        made_by.setdefault(str(path), []).append(str(job))
    for job, path in g.query(READ):
        read.setdefault(str(job), []).append(str(path))
    print(json.dumps({
        'madeBy': {k: sorted(v) for k, v in made_by.items()},
        'read': {k: sorted(v) for k, v in read.items()},
        'sha256': {str(path): str(sha) for path, sha in g.query(SHA256)},
        'undefined': undefined_terms(doc, doc['@context']),
        'triples': len(g),
    }, sort_keys=True))


if __name__ == '__main__':
    main(sys.argv[1])
