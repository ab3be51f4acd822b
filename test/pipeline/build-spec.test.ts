import { describe, expect, it } from 'vitest';
import type { SourceLine } from '../../src/markdown/document.js';
import { parseBuildSpec } from '../../src/pipeline/build-spec.js';

function body(text: string): SourceLine[] {
  return text.split('\n').map((t, i) => ({ text: t, line: 10 + i, col: 1 }));
}

const AT = { line: 9, col: 1 };

function spec(text: string) {
  const r = parseBuildSpec(body(text), AT);
  if (!r.ok) throw new Error(`expected a valid spec: ${JSON.stringify(r.problems)}`);
  return r.spec;
}

function problems(text: string): string[] {
  const r = parseBuildSpec(body(text), AT);
  return r.ok ? [] : r.problems.map((p) => `${p.at.line}:${p.at.col}: ${p.message}`);
}

describe('parseBuildSpec: Dockerfile', () => {
  it('keeps the Dockerfile and notes its bases and build-context files', () => {
    const text = [
      '# syntax=docker/dockerfile:1',
      'ARG VERSION=3.8.5',
      'FROM --platform=linux/amd64 ghcr.io/osgeo/gdal:ubuntu-small-${VERSION} AS base',
      'RUN apt-get update \\',
      '    && apt-get install -y python3-pip',
      'COPY scripts/ requirements.txt /opt/',
      'COPY ["with space.txt", "/opt/"]',
      'ADD https://example.org/x.tar.gz /opt/',
      'COPY --from=base /usr/bin/gdalinfo /usr/bin/',
      'workdir /opt',
    ].join('\n');
    expect(spec(text)).toEqual({
      format: 'dockerfile',
      dockerfile: text + '\n',
      bases: ['ghcr.io/osgeo/gdal:ubuntu-small-${VERSION}'],
      contextFiles: ['scripts/', 'requirements.txt', 'with space.txt'],
      network: true,
    });
  });

  it('reports each problem at its instruction', () => {
    expect(problems('FROM ubuntu\nRUM apt-get update\nCOPY onlyone')).toEqual([
      '11:1: unknown Dockerfile instruction `RUM`',
      '12:1: COPY needs a source and a destination',
    ]);
    expect(problems('RUN echo')).toEqual(['10:1: a Dockerfile must start with FROM']);
    expect(problems('FROM')).toEqual(['10:1: FROM needs an image']);
    expect(problems('\n  \n')).toEqual(['9:1: empty shark-build block: write a Dockerfile or an OBuilder spec']);
  });
});

describe('parseBuildSpec: OBuilder', () => {
  it('turns the S-expression into a Dockerfile', () => {
    const s = spec(`((from ocaml/opam:debian-12-ocaml-5.1)
 ; a comment
 (workdir /home/opam)
 (env OPAMYES "1")
 (run (network host) (shell "opam install -y dune \\"owl\\""))
 (copy (src dune-project bin) (dst /home/opam/src/))
 (user (uid 1000) (gid 1000))
 (shell /bin/bash -c)
 (comment "ignored")
 (run (shell "cd src &&\\n dune build")))`);
    expect(s).toEqual({
      format: 'obuilder',
      dockerfile: [
        'FROM ocaml/opam:debian-12-ocaml-5.1',
        'WORKDIR /home/opam',
        'ENV OPAMYES="1"',
        'RUN opam install -y dune "owl"',
        'COPY ["dune-project","bin","/home/opam/src/"]',
        'USER 1000:1000',
        'SHELL ["/bin/bash","-c"]',
        'RUN cd src && \\',
        '     dune build',
        '',
      ].join('\n'),
      bases: ['ocaml/opam:debian-12-ocaml-5.1'],
      contextFiles: ['dune-project', 'bin'],
      network: true,
    });
  });

  it('accepts operations without the outer list, as the original writes them', () => {
    expect(spec('(from ghcr.io/osgeo/gdal:ubuntu-small-3.6.4)\n(run (shell "echo hi"))')).toMatchObject({
      dockerfile: 'FROM ghcr.io/osgeo/gdal:ubuntu-small-3.6.4\nRUN echo hi\n',
      network: false,
    });
  });

  it('reports each problem at its place', () => {
    expect(problems('((from a)\n (run (shell "x"))')).toEqual(['10:1: unbalanced `(`: missing `)`']);
    expect(problems('((from a)))')).toEqual(['10:11: unexpected `)`']);
    expect(problems('((from a)\n (run (shell "open\n)))')).toEqual(['11:14: unterminated string']);
    expect(problems('((run (shell "x")))')).toEqual(['10:2: an OBuilder spec must start with (from IMAGE)']);
    expect(problems('((from a)\n (frobnicate x))')).toEqual(['11:2: unknown OBuilder operation `frobnicate`: use from, run, copy, workdir, env, user, shell or comment']);
    expect(problems('((from a b)\n (run)\n (copy (src a))\n (env K)\n (workdir)\n (user)\n (shell))')).toEqual([
      '10:2: (from IMAGE) takes one image',
      '11:2: (run (shell "COMMAND")) needs one shell command',
      '12:2: (copy (src PATH...) (dst PATH)) needs sources and one destination',
      '13:2: (env NAME VALUE) takes a name and a value',
      '14:2: (workdir DIR) takes one directory',
      '15:2: (user (uid N) (gid N)) or (user NAME)',
      '16:2: (shell ARG...) takes the shell command line',
    ]);
  });

  it('survives deep nesting', () => {
    expect(problems('('.repeat(50000))).toEqual(['10:50000: unbalanced `(`: missing `)`']);
  });
});
