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
  it('expands the stage\'s ARGs and ENVs in a COPY source, as the builder does (`${SRC}/f.txt` was looked for as written)', () => {
    const text = 'ARG BASE=x\nARG DIR=meta\nFROM $BASE\nARG SRC=scripts\nARG DIR\nENV SUB=${SRC}/lib\nENV DATA data\nCOPY ${SRC}/f.txt $DIR/g.txt ${SUB}/h.sh $DATA/ /opt/\nCOPY ${NONE}/x /opt/\n';
    // One the stage does not know is empty, as for the builder (`/x` is `x` of the context).
    expect(spec(text).contextFiles).toEqual(['scripts/f.txt', 'meta/g.txt', 'scripts/lib/h.sh', 'data/', '/x']);
    // A new stage starts with none of them; an ARG before the first FROM is known in a stage only declared again there.
    expect(spec('FROM x\nARG SRC=a\nFROM y\nCOPY ${SRC}/f /opt/\n').contextFiles).toEqual(['/f']);
    expect(spec('ARG SRC=lib\nFROM x\nCOPY ${SRC}/a.sh /opt/\n').contextFiles).toEqual(['/a.sh']);
  });

  it('lets an ENV win over an ARG of the same name, before it or after, as Docker does (the ARG\'s file was sent)', () => {
    expect(spec('FROM x\nENV D=src\nARG D=wrong\nCOPY $D/a.txt /x/\n').contextFiles).toEqual(['src/a.txt']);
    expect(spec('FROM x\nARG D=wrong\nENV D=src\nCOPY $D/a.txt /x/\n').contextFiles).toEqual(['src/a.txt']);
    expect(spec('FROM x AS base\nENV D=src\nFROM base\nARG D=wrong\nCOPY $D/a.txt /x/\n').contextFiles).toEqual(['src/a.txt']);
  });

  it('starts a stage FROM an earlier one with that stage\'s ENVs, not its ARGs (`${D}/a.sh` was refused as missing)', () => {
    expect(spec('FROM x AS base\nENV D=lib\nARG A=no\nFROM base\nCOPY ${D}/a.sh ${A}b /opt/\n').contextFiles).toEqual(['lib/a.sh', 'b']);
    // Not another stage's, nor a later ENV of that stage.
    expect(spec('FROM x AS one\nENV D=lib\nFROM x AS two\nFROM two\nCOPY ${D}/a.sh /opt/\n').contextFiles).toEqual(['/a.sh']);
  });

  it('reads a `# escape=` parser directive at the top: a backtick continues the line (it was an unknown instruction)', () => {
    expect(spec('# escape=`\nFROM x\nCOPY src `\n  /app\n').contextFiles).toEqual(['src']);
    // Below the top (after a blank line or an instruction) it is a comment, as the builder reads it.
    expect(problems('\n# escape=`\nFROM x\nCOPY src `\n  /app\n')).toEqual(['14:3: unknown Dockerfile instruction `/app`']);
  });

  it('refuses a here-document at its RUN, once (each of its lines was an unknown instruction)', () => {
    const message = (at: string, word: string) => `${at}: ${word} here-document needs BuildKit, and Shark builds with the engine's classic builder: chain the commands with && (and \\ at line ends), or COPY a script and RUN it`;
    expect(problems('FROM x\nRUN <<EOT\necho a > /a\necho b\nEOT\nRUN true\nRUM x\n')).toEqual([message('11:1', '`RUN <<EOT`: a'), '16:1: unknown Dockerfile instruction `RUM`']);
    expect(problems("FROM x\nCOPY <<-'END' /etc/conf\n\tk=v\n\tEND\n")).toEqual([message('11:1', "`COPY <<-'END'`: a")]);
    // A shift in arithmetic is none.
    expect(problems('FROM x\nRUN echo $((1<<3)) > /n\n')).toEqual([]);
  });

  it('refuses an option only BuildKit knows at the option (the classic builder failed the build on it)', () => {
    expect(problems('FROM x\nRUN --mount=type=cache,target=/c make\nCOPY --chmod=755 x /x\nCOPY --chown=1:1 y /y\n')).toEqual([
      "11:5: `RUN --mount` needs BuildKit, and Shark builds with the engine's classic builder, which refuses it: leave it out (RUN a cache of your own, COPY then RUN chmod)",
      "12:6: `COPY --chmod` needs BuildKit, and Shark builds with the engine's classic builder, which refuses it: leave it out (RUN a cache of your own, COPY then RUN chmod)",
    ]);
  });

  it('reads no here-document in quotes, in arithmetic or in a here-string (a valid Dockerfile was refused)', () => {
    expect(problems('FROM x\nRUN python3 -c "n = 3; print(1 << n)"\nRUN echo hi\n')).toEqual([]);
    expect(problems("FROM x\nRUN awk 'BEGIN { print \"<<END\" }' > /n\n")).toEqual([]);
    expect(problems('FROM x\nRUN echo $(( 1 << n )) > /n\n')).toEqual([]);
    expect(problems('FROM x\nSHELL ["/bin/bash", "-c"]\nRUN cat <<< "hi" > /n\n')).toEqual([]);
    // One after a quoted word is still one.
    expect(problems('FROM x\nRUN echo "a" && cat <<EOT > /n\nb\nEOT\n')).toHaveLength(1);
  });

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
      bases: ['ghcr.io/osgeo/gdal:ubuntu-small-3.8.5'],
      contextFiles: ['scripts/', 'requirements.txt', 'with space.txt'],
      sources: [
        { path: 'scripts/', at: { line: 15, col: 6 }, by: 'COPY' },
        { path: 'requirements.txt', at: { line: 15, col: 15 }, by: 'COPY' },
        { path: 'with space.txt', at: { line: 16, col: 7 }, by: 'COPY' },
      ],
      network: true,
      args: { VERSION: '3.8.5' },
      froms: [{ image: 'ghcr.io/osgeo/gdal:ubuntu-small-3.8.5', at: { line: 12, col: 29 } }],
    });
  });

  it('names the base an ARG before FROM gives, as Docker does with no build arguments', () => {
    const bases = (text: string): readonly string[] => spec(text).bases;
    expect(bases('ARG IMG=busybox:1.36\nFROM $IMG')).toEqual(['busybox:1.36']);
    expect(bases('ARG IMG=busybox:1.36\nFROM ${IMG} AS build\nFROM build')).toEqual(['busybox:1.36', 'build']);
    expect(bases('ARG REPO=library/busybox TAG="1.36"\nARG IMG=${REPO}:$TAG\nFROM --platform=linux/amd64 $IMG')).toEqual(['library/busybox:1.36']);
    expect(bases("ARG TAG\nFROM busybox:${TAG:-latest}\nFROM 'alpine:3'\nFROM a\\$b")).toEqual(['busybox:latest', 'alpine:3', 'a$b']);
    // An ARG after FROM belongs to its stage: it does not name the next base.
    expect(bases('ARG IMG=a\nFROM $IMG\nARG IMG=b\nFROM $IMG')).toEqual(['a', 'a']);
  });

  it('counts an image COPY --from takes files from as a base, not a stage of the same Dockerfile', () => {
    const bases = (text: string): readonly string[] => spec(text).bases;
    expect(bases('FROM a AS Build\nFROM b\nCOPY --from=build /x /x\nCOPY --from=0 /y /y\nCOPY --chown=1 --from=tools:1 /z /z')).toEqual(['a', 'b', 'tools:1']);
    expect(bases('FROM a\nCOPY --from=a /x /x\nCOPY --from=$IMG /y /y')).toEqual(['a']);
  });

  it('refuses a FROM whose ARG has no value, at the FROM', () => {
    expect(problems('ARG IMG\nFROM $IMG')).toEqual([
      '11:1: FROM $IMG names no image: the ARG IMG has no default (Shark passes no build arguments: write ARG IMG=IMAGE)',
    ]);
    expect(problems('FROM $NOPE')).toEqual([
      '10:1: FROM $NOPE names no image: no ARG NOPE comes before the first FROM (write ARG NOPE=IMAGE there)',
    ]);
    expect(problems('ARG T=1\nFROM busybox:${T:?unset}')).toEqual([
      '11:1: FROM busybox:${T:?unset}: unsupported substitution `${T:?unset}` (use $NAME, ${NAME}, ${NAME:-DEFAULT} or ${NAME:+VALUE})',
    ]);
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

  it('refuses an instruction without the argument the engine needs, at its line (not a failed build at a line of the generated Dockerfile)', () => {
    expect(problems('FROM a\nENV\nARG\n  WORKDIR\nUSER   \nCOPY\nRUN\nSHELL sh\nENV A=1 B\nENV A\nLABEL =x')).toEqual([
      '11:1: ENV needs NAME=VALUE',
      '12:1: ARG needs a name',
      '13:3: WORKDIR needs a directory',
      '14:1: USER needs a user',
      '15:1: COPY needs a source and a destination',
      '16:1: RUN needs a command',
      '17:1: SHELL takes the shell as a JSON list (SHELL ["/bin/sh", "-c"])',
      '18:1: ENV B: write B=VALUE (every word after ENV is NAME=VALUE once the first is)',
      '19:1: ENV A needs a value: write ENV A=VALUE',
      '20:1: LABEL =x: the name before `=` is empty',
    ]);
    // What the engine takes: the older `ENV NAME VALUE…`, an empty value, CMD alone, a continued argument.
    expect(problems('FROM a\nENV A 1 2\nENV B=\nCMD\nENV \\\n  C=1\nSHELL ["/bin/sh", "-c"]')).toEqual([]);
  });

  it('places each COPY source where it is written, continuation lines included', () => {
    const s = spec('FROM a\nCOPY  one.txt \\\n   # a comment\n    two/ /opt/\nADD --chown=1 ["t h", "/x"]');
    expect(s.sources).toEqual([
      { path: 'one.txt', at: { line: 11, col: 7 }, by: 'COPY' },
      { path: 'two/', at: { line: 13, col: 5 }, by: 'COPY' },
      { path: 't h', at: { line: 14, col: 16 }, by: 'ADD' },
    ]);
    expect(spec('((from a)\n (copy (src x.sh  "y z") (dst /opt/)))').sources).toEqual([
      { path: 'x.sh', at: { line: 11, col: 13 }, by: '(copy …)' },
      { path: 'y z', at: { line: 11, col: 19 }, by: '(copy …)' },
    ]);
  });

  it('refuses a COPY or ADD source outside the pipeline\'s directory, as the OBuilder form does (Docker would only at the build)', () => {
    expect(problems('FROM a\nCOPY ../outside.txt /x\nADD --chown=1 data/../../up /y\nCOPY ["../q r", "/z"]')).toEqual([
      '11:6: COPY sources stay inside the pipeline\'s directory: `../outside.txt` goes up with `..`',
      '12:15: ADD sources stay inside the pipeline\'s directory: `data/../../up` goes up with `..`',
      '13:7: COPY sources stay inside the pipeline\'s directory: `../q r` goes up with `..`',
    ]);
    // Docker reads these inside the directory: `..` that stays in it, a leading `/`, a download, another stage.
    expect(problems('FROM a\nCOPY data/../b.txt /b\nCOPY /abs.txt /c\nADD https://x.org/../y /d\nCOPY --from=base ../z /e')).toEqual([]);
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
        'COPY ["dune-project","/home/opam/src/dune-project"]',
        'COPY ["bin","/home/opam/src/bin"]',
        'USER 1000:1000',
        'SHELL ["/bin/bash","-c"]',
        'RUN cd src && \\',
        '     dune build',
        '',
      ].join('\n'),
      bases: ['ocaml/opam:debian-12-ocaml-5.1'],
      froms: [{ image: 'ocaml/opam:debian-12-ocaml-5.1', at: { line: 10, col: 8 } }],
      contextFiles: ['dune-project', 'bin'],
      sources: [
        { path: 'dune-project', at: { line: 15, col: 13 }, by: '(copy …)' },
        { path: 'bin', at: { line: 15, col: 26 }, by: '(copy …)' },
      ],
      network: true,
    });
  });

  describe('copy, with OBuilder\'s meaning rather than Docker\'s', () => {
    const copies = (ops: string): string[] => spec(`((from a)\n${ops})`).dockerfile.split('\n').filter((l) => l.startsWith('COPY'));

    it('copies a directory itself into a destination ending in `/`, not its contents', () => {
      // LIFE's environment relies on ./aoh-calculator/… existing after this line.
      expect(copies('(copy (src "aoh-calculator") (dst "./"))')).toEqual(['COPY ["aoh-calculator","./aoh-calculator"]']);
      expect(copies('(copy (src tools/aoh/) (dst /opt/))')).toEqual(['COPY ["tools/aoh/","/opt/aoh"]']);
      expect(spec('((from a)\n(copy (src "aoh-calculator") (dst "./")))').contextFiles).toEqual(['aoh-calculator']);
    });

    it('puts a file under its own name into a destination ending in `/`', () => {
      expect(copies('(copy (src scripts/run.sh) (dst /usr/local/bin/))')).toEqual(['COPY ["scripts/run.sh","/usr/local/bin/run.sh"]']);
    });

    it('copies each of several sources into the destination, one COPY each', () => {
      expect(copies('(copy (src requirements.txt lib) (dst ./))')).toEqual([
        'COPY ["requirements.txt","./requirements.txt"]',
        'COPY ["lib","./lib"]',
      ]);
    });

    it('copies the whole context with `.` into the destination', () => {
      expect(copies('(copy (src .) (dst build/))')).toEqual(['COPY [".","build/"]']);
      expect(copies('(copy (src ./) (dst /src/))')).toEqual(['COPY ["./","/src/"]']);
    });

    it('copies a single source as the destination when it does not end in `/`', () => {
      expect(copies('(copy (src platform.ml.linux) (dst platform.ml))')).toEqual(['COPY ["platform.ml.linux","platform.ml"]']);
      expect(copies('(copy (src aoh-calculator) (dst /opt/aoh))')).toEqual(['COPY ["aoh-calculator","/opt/aoh"]']);
    });

    it('copies as the current (user …), as OBuilder does', () => {
      expect(copies('(user (uid 1000) (gid 1000))\n(copy (src tool) (dst ./))')).toEqual(['COPY --chown=1000:1000 ["tool","./tool"]']);
      expect(copies('(user (uid 0) (gid 0))\n(copy (src tool) (dst ./))')).toEqual(['COPY ["tool","./tool"]']);
    });

    it('leaves out the files `exclude` names, wherever they are below the sources', () => {
      const s = spec('((from a)\n(copy (src . ) (dst build/) (exclude .git _build)))');
      expect(s.contextFiles).toEqual(['.']);
      expect(s.exclude).toEqual({ '.': ['.git', '_build'] });
    });

    it('leaves a name out of a source only when every copy of it does: another copy without exclude had lost .git too', () => {
      expect(spec('((from a)\n(copy (src src README) (dst ./) (exclude .git _build))\n(copy (src src) (dst /other)))').exclude).toEqual({ README: ['.git', '_build'] });
      expect(spec('((from a)\n(copy (src src) (dst ./) (exclude .git _build))\n(copy (src src) (dst /o) (exclude _build)))').exclude).toEqual({ src: ['_build'] });
    });

    it('refuses what OBuilder refuses, at the copy', () => {
      expect(problems('((from a)\n (copy (src a b) (dst c)))')).toEqual([
        '11:2: (copy …) of several sources needs a destination ending in `/` (OBuilder copies each into it)',
      ]);
      expect(problems('((from a)\n (copy (src ../secret) (dst ./)))')).toEqual(['11:2: (copy …) sources stay inside the pipeline\'s directory: `../secret` goes up with `..`']);
      expect(problems('((from a)\n (copy (src *.py) (dst ./)))')).toEqual([
        '11:2: (copy …) names files and directories literally, as OBuilder does: `*.py` is not a pattern',
      ]);
      expect(problems('((from a)\n (copy (from (build dev)) (src /x) (dst /y)))')).toEqual([
        '11:2: (copy (from …)) copies from a nested build, which Shark does not support',
      ]);
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
    // An operation left after the spec's closing `)`: said there, not as a spec that is no operation and has no `from`.
    expect(problems('((from a)\n (run (shell "x")))\n(run (shell "y"))')).toEqual([
      '12:1: this is after the spec\'s closing `)`: an OBuilder spec is one list, ((from IMAGE) (run …) …); move it inside',
    ]);
    expect(problems('((from a)) extra')).toEqual(['10:12: this is after the spec\'s closing `)`: an OBuilder spec is one list, ((from IMAGE) (run …) …); move it inside']);
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

  it('refuses a (user (uid …) (gid …)) that is not numbers, as OBuilder does', () => {
    expect(problems('((from a)\n (user (uid abc) (gid 1)))')).toEqual(['11:2: (user (uid N) (gid N)) takes numbers: uid abc is not one']);
    expect(problems('((from a)\n (user (uid 1000) (gid staff)))')).toEqual(['11:2: (user (uid N) (gid N)) takes numbers: gid staff is not one']);
    expect(spec('((from a)\n (user (uid 1000) (gid 1000)))').dockerfile).toBe('FROM a\nUSER 1000:1000\n');
  });

  it('is an OBuilder spec when comments come before its first `(`, as Sexplib reads them', () => {
    const expected = { format: 'obuilder', dockerfile: 'FROM shark-test/busybox:latest\nWORKDIR /home/tmf/app\n' };
    // The README's tmf.spec starts with a `;` comment.
    expect(spec('; the README\'s tmf.spec\n\n;; more\n((from shark-test/busybox:latest)\n (workdir /home/tmf/app))')).toMatchObject(expected);
    expect(spec('#| a block comment\n  (run (shell "not this")) |#\n((from shark-test/busybox:latest) #| inline |# (workdir /home/tmf/app))')).toMatchObject(expected);
    expect(spec('#| nested #| comments |# too |#\n((from shark-test/busybox:latest)\n (workdir /home/tmf/app))')).toMatchObject(expected);
    expect(problems('#| never closed\n((from a))')).toEqual(['10:1: unterminated block comment: no `|#` closes the `#|` opened here']);
    // A Dockerfile may start with comments too, `#|` ones included.
    expect(spec('#| not a spec |#\n# syntax=docker/dockerfile:1\nFROM busybox').format).toBe('dockerfile');
  });

  it('refuses (run (cache …)) and (run (secrets …)) at the field, saying what to do instead, and any other unknown field', () => {
    expect(problems('((from a)\n (run (cache (dl (target /var/cache/dl))) (shell "ls -d /var/cache/dl")))')).toEqual([
      '11:7: (run (cache …)) is not supported: Shark builds with the Docker engine\'s classic builder, which has no cache mounts; leave it out and have the command create the directory it needs (each build then starts without the cache)',
    ]);
    expect(problems('((from a)\n (run (secrets (token (target /run/secrets/token))) (shell "cat /run/secrets/token")))')).toEqual([
      '11:7: (run (secrets …)) is not supported: a build gets no secrets (they would stay in the image); give credentials to run steps with the frontmatter `secrets:` list',
    ]);
    expect(problems('((from a)\n (run (network host) (shel "x") (shell "y")))')).toEqual([
      '11:22: unknown field `shel` of (run …): it takes (shell "COMMAND") and (network host)',
    ]);
  });

  it('survives deep nesting', () => {
    expect(problems('('.repeat(50000))).toEqual(['10:50000: unbalanced `(`: missing `)`']);
  });
});
