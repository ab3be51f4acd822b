"""Parses a crate's ro-crate-metadata.json with python3-rdflib (against a base
IRI, with no network) and answers, with SPARQL, the questions `shark lineage`
answers: which job made each file, and which files each job read. Prints one
JSON object: {"madeBy": {path: [job…]}, "read": {job: [path…]}, "triples": N}.

The RO-Crate 1.1 context is a URL; offline, the terms the crate uses are
mapped here by hand to the IRIs that context gives them (schema.org for most).
"""
import json
import sys

import rdflib

OFFLINE_CONTEXT = {
    '@vocab': 'http://schema.org/',
    'File': 'http://schema.org/MediaObject',
    'ComputationalWorkflow': 'https://bioschemas.org/ComputationalWorkflow',
    'conformsTo': {'@id': 'http://purl.org/dc/terms/conformsTo', '@type': '@id'},
    'sha256': 'http://schema.org/sha256',
}

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


def main(crate_dir):
    with open(f'{crate_dir}/ro-crate-metadata.json') as f:
        doc = json.load(f)
    if doc.get('@context') != 'https://w3id.org/ro/crate/1.1/context':
        raise SystemExit(f'unexpected @context: {doc.get("@context")!r}')
    doc['@context'] = OFFLINE_CONTEXT
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
        'triples': len(g),
    }, sort_keys=True))


if __name__ == '__main__':
    main(sys.argv[1])
