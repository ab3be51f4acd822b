import { describe, expect, it } from 'vitest';
import { doc, errors, load } from '../helpers/documents.js';
import { shownStepOutput, type Pipeline, type Step } from '../../src/pipeline/pipeline.js';

const loadAllowingWarnings = (source: string): Pipeline => load(source, true);

/** Each step as `id: inputs -> outputs`, inputs marked with their writers. */
function flow(p: Pipeline): string[] {
  const show = (s: Step): string => {
    const ins = s.inputs.map((i) => `${i.path}${i.pattern !== undefined ? `/${i.pattern}` : i.join !== undefined ? `/+${i.join.ext ?? ''}` : i.isDir ? '/' : ''}<${i.from.join('+')}`);
    const outs = s.outputs.map(shownStepOutput);
    return `${s.id}: ${ins.join(' ')} -> ${outs.join(' ')}`;
  };
  return p.steps.map(show);
}

describe('nested wildcards', () => {
  it('maps over paths several levels down, from the directory before the first wildcard', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-import {id=get}', 'zenodo:1/species.zip /data/species/ extract'],
      ['shark-run {id=aoh}', 'aoh /data/species/*/*.geojson /data/aoh/+'],
      ['shark-run {id=pick}', 'cat /data/species/*/range/[ab]* > /data/picked/+'],
    ]));
    expect(flow(p)).toEqual([
      'get:  -> /data/species/',
      'aoh: /data/species/*/*.geojson<get -> /data/aoh/+',
      'pick: /data/species/*/range/[ab]*<get -> /data/picked/+',
    ]);
    expect(p.blocks[1]!.inputs).toEqual(['/data/species/*/*.geojson']);
  });

  it('reports `**` at its place', () => {
    expect(errors(doc([['shark-import', 'zenodo:1/s.zip /data/s/ extract'], ['shark-run', 'aoh /data/s/**/*.tif /data/aoh/+']]))).toEqual([
      '6:13: `**`: a wildcard matches the names of one directory level; `**` is not supported (write one `*` per level, as in /data/dir/*/*.tif)',
    ]);
  });
});

describe('a map that makes its own output directory first', () => {
  it('outputs each job\'s item, not the directory whole beside it (every job failed: "step did not create /data/out/f1.txt")', () => {
    const p = load(doc([
      ['shark-import', 'in /data/in/'],
      ['shark-run', 'mkdir -p /data/out/ && cat /data/in/*.txt > /data/out/+'],
      ['shark-run', 'mkdir -p /data/tif && gdal_translate /data/in/* /data/tif/+.tif'],
    ]));
    expect(flow(p).slice(1)).toEqual(['run: /data/in/*.txt<import -> /data/out/+', 'run-2: /data/in/*<import -> /data/tif/+.tif']);
  });
});

describe('`+.EXT`', () => {
  it('names each job\'s output after its item with a new extension, several per directory', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-import {id=get}', 'zenodo:1/species.zip /data/species/ extract'],
      ['shark-run {id=aoh}', 'aoh /data/species/*/*.geojson --tif /data/aoh/+.tif --json /data/aoh/+.json --copy /data/copy/+'],
    ]));
    expect(flow(p)[1]).toBe('aoh: /data/species/*/*.geojson<get -> /data/aoh/+.tif /data/aoh/+.json /data/copy/+');
    expect(p.blocks[1]!.outputs).toEqual(['/data/aoh/', '/data/copy/']);
  });
});

describe('`+/`: a directory per item', () => {
  it('makes each job\'s output its item\'s directory, which Shark creates, and a later map reads into it', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-import {id=get}', 'zenodo:1/aligned.zip /data/aligned/ extract'],
      ['shark-run {id=split}', `awk -v out=/data/split/+/ '{ print > (out $1 ".txt") }' /data/aligned/*`],
      ['shark-run {id=call}', 'cat /data/split/*/*.txt > /data/call/+'],
    ]));
    expect(flow(p).slice(1)).toEqual(['split: /data/aligned/*<get -> /data/split/+/', 'call: /data/split/*/*.txt<split -> /data/call/+']);
    expect(p.steps[1]!.outputs[0]).toMatchObject({ path: '/data/split', perItem: true, created: true });
  });

  it('is the output of a map that names files in it (`+/FILE`), made before the job runs, and a join reads it whole', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-import {id=get}', 'zenodo:1/n.zip /data/n/ extract'],
      ['shark-run {id=seq}', 'mkdir -p /data/seq/+; seq $(cat /data/n/*) > /data/seq/+/all.txt; wc -l < /data/seq/+/all.txt > /data/seq/+/count'],
      ['shark-run {id=both}', 'cat /data/n/* /data/seq/+/count > /data/both/+'],
    ]));
    expect(flow(p).slice(1)).toEqual(['seq: /data/n/*<get -> /data/seq/+/', 'both: /data/n/*<get /data/seq/+<seq -> /data/both/+']);
  });
});

describe('the same problem in every instance of a sweep', () => {
  it('is reported once', () => {
    expect(errors(doc([['shark-run', 'cat /data/split/*/*.txt > /data/call/%{MINQ}/+']], 'MINQ: [10, 20]'))).toEqual([
      '6:5: maps over `/data/split/`, which no earlier step writes or imports and no frontmatter input names: to map over a directory of your own, declare it (`inputs:` with `split: /data/split/`) and bind it with `-i split=DIR`',
    ]);
  });
});

describe('a wildcard after an output redirection', () => {
  it('is an error at the path, whatever the redirection: the path is written, not mapped over', () => {
    const made: [string, string] = ['shark-run', 'mkdir -p /data/in/ && echo a > /data/in/a.txt'];
    const message = (at: string): string =>
      `${at}: \`/data/in/*.txt\` follows an output redirection (\`>\`, \`>>\`, \`2>\`, \`&>\` or \`>|\`), so it is written, and a written path cannot hold a wildcard: to write one output per item of a map, name it with +, as in \`> /data/out/+\``;
    for (const op of ['>', '>>', '2>', '&>', '>|']) {
      // On the host `&>` is also warned at as bash's (host-bashisms.test.ts).
      expect(errors(doc([made, ['shark-run', `echo hi ${op} /data/in/*.txt`]])).filter((e) => !e.includes('is bash\'s'))).toEqual([message(`6:${10 + op.length}`)]);
    }
  });
});

describe('joins', () => {
  const scenarios: [string, string][] = [
    ['shark-import {id=get}', 'zenodo:1/species.zip /data/species/ extract'],
    ['shark-run {id=aoh}', 'aoh current /data/species/*.txt > /data/aohs/current/+\naoh restore /data/species/*.txt > /data/aohs/restore/+.txt'],
  ];

  it('reads `+` under a directory an earlier step writes: the same item there', () => {
    const p = loadAllowingWarnings(doc([
      ...scenarios,
      ['shark-run {id=delta}', 'paste /data/aohs/current/*.txt /data/aohs/restore/+ > /data/deltap/+.csv'],
    ]));
    expect(flow(p).slice(2)).toEqual([
      'aoh.2: /data/species/*.txt<get -> /data/aohs/restore/+.txt',
      'delta: /data/aohs/current/*.txt<aoh.1 /data/aohs/restore/+<aoh.2 -> /data/deltap/+.csv',
    ]);
    expect(p.steps[3]!.after).toEqual(['aoh.1', 'aoh.2']);
    expect(p.blocks[2]!.inputs).toEqual(['/data/aohs/current/*.txt', '/data/aohs/restore/+']);
  });

  it('joins from a directory others only wrote into, and with a new extension', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-import {id=get}', 'zenodo:1/species.zip /data/species/ extract'],
      ['shark-run {id=one}', 'echo > /data/extra/robin.csv'],
      ['shark-run {id=delta}', 'paste /data/species/*.txt /data/extra/+.csv > /data/out/+'],
    ]));
    expect(flow(p)[2]).toBe('delta: /data/species/*.txt<get /data/extra/+.csv<one -> /data/out/+');
  });

  it('writes with `>` into `+` under a written directory instead of joining, but not into another step\'s `+`', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-import {id=get}', 'zenodo:1/species.zip /data/species/ extract\nzenodo:2/old.zip /data/aohs/ extract'],
      ['shark-run {id=more}', 'aoh arable /data/species/*.txt > /data/aohs/arable/+'],
    ]));
    expect(flow(p)[2]).toBe('more: /data/species/*.txt<get.1 -> /data/aohs/arable/+');
    expect(errors(doc([...scenarios, ['shark-run {id=more}', 'aoh arable /data/species/*.txt > /data/aohs/restore/+.arable']]))).toEqual([
      '11:34: `/data/aohs/restore` is written by two steps: `aoh.2` and `more` (each path has one writer) [7:35: step `aoh.2` writes `/data/aohs/restore` here]',
    ]);
  });

  it('reports a `+` that only a reader or `<` names, under a directory nothing writes, instead of making it an output', () => {
    const nothing = (at: string, dir: string, program: string): string =>
      `${at}: nothing writes ${dir}: \`${program}\` only reads it (its \`+\` joins each job's item there); write it in an earlier step, import it, or name it as a frontmatter input`;
    expect(errors(doc([...scenarios, ['shark-run', 'paste -d, /data/aohs/current/*.txt /data/aohs/restor/+ > /data/joined/+']]))).toEqual([
      nothing('11:36', '/data/aohs/restor/', 'paste'),
    ]);
    expect(errors(doc([...scenarios, ['shark-run', 'cat /data/aohs/current/*.txt /data/aohs/restor/+.txt > /data/joined/+']]))).toEqual([
      nothing('11:30', '/data/aohs/restor/', 'cat'),
    ]);
    expect(errors(doc([...scenarios, ['shark-run', 'join /data/aohs/current/*.txt - < /data/aohs/restor/+ > /data/joined/+']]))).toEqual([
      "11:35: reads `/data/aohs/restor/+`, which no earlier step writes or imports and no frontmatter input names",
    ]);
    // Its extension as written, once (it said `+..csv`).
    expect(errors(doc([...scenarios, ['shark-run', 'join /data/aohs/current/*.txt - < /data/aohs/restor/+.csv > /data/joined/+']]))).toEqual([
      "11:35: reads `/data/aohs/restor/+.csv`, which no earlier step writes or imports and no frontmatter input names",
    ]);
  });

  it('still writes a `+` that a reader does not name, or that a redirection writes', () => {
    const p = loadAllowingWarnings(doc([
      ...scenarios,
      ['shark-run {id=copy}', 'cp /data/aohs/current/*.txt /data/copies/+'],
      ['shark-run {id=cat}', 'cat /data/aohs/current/*.txt > /data/cats/+'],
    ]));
    expect(flow(p).slice(3)).toEqual([
      'copy: /data/aohs/current/*.txt<aoh.1 -> /data/copies/+',
      'cat: /data/aohs/current/*.txt<aoh.1 -> /data/cats/+',
    ]);
  });

  it('needs a wildcard for `+` to join with', () => {
    expect(errors(doc([...scenarios, ['shark-run', 'cat /data/aohs/restore/+ > /data/x']]))).toEqual([
      "11:5: `+` names each map job's output after its item, but this command has no wildcard input such as /data/dir/*",
    ]);
  });
});

describe('several steps writing one directory', () => {
  it('lets a step write new files into a directory another step writes; a reader sees the union', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-import {id=get}', 'https://x.org/t.zip /data/t/ extract'],
      ['shark-run {id=add}', 'echo > /data/t/new.txt'],
      ['shark-run {id=all}', 'tar czf /data/t.tgz /data/t/'],
      ['shark-run {id=one}', 'cat /data/t/a.tif /data/t/new.txt > /data/two'],
    ]));
    expect(flow(p)).toEqual([
      'get:  -> /data/t/',
      'add:  -> /data/t/new.txt',
      'all: /data/t/<get+add -> /data/t.tgz',
      'one: /data/t/a.tif<get /data/t/new.txt<add -> /data/two',
    ]);
  });

  it('lets a step that reads files of a directory write its own next to them (the TMF ecoregions)', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-run {id=download}', 'download ecoregion /data/tmf/ecoregions/ecoregions.geojson'],
      ['shark-run {id=rasters}', 'rasterize /data/tmf/ecoregions/ecoregions.geojson /data/tmf/ecoregions'],
      ['shark-run {id=use}', 'ls /data/tmf/ecoregions/ > /data/list.txt'],
    ]));
    expect(flow(p)).toEqual([
      'download:  -> /data/tmf/ecoregions/ecoregions.geojson',
      'rasters: /data/tmf/ecoregions/ecoregions.geojson<download -> /data/tmf/ecoregions/',
      'use: /data/tmf/ecoregions/<rasters+download -> /data/list.txt',
    ]);
  });

  it('still reports one file written by two steps, naming both, and writes into an input', () => {
    expect(errors(doc([['shark-import {id=get}', 'https://x.org/t.zip /data/t/ extract'], ['shark-run {id=a}', 'echo > /data/t/x'], ['shark-run {id=b}', 'echo > /data/t/x']]))).toEqual([
      '10:8: `/data/t/x` is written by two steps: `a` and `b` (each path has one writer) [6:8: step `a` writes `/data/t/x` here]',
    ]);
    expect(errors(doc([['shark-run', 'echo > /data/in/x']], 'inputs:\n  in: /data/in/'))).toEqual([
      '7:8: `/data/in/x` is inside `/data/in/`, which frontmatter input `in` provides; step `run` cannot also write into it (inputs are read-only) [3:7: frontmatter input `in` is declared here]',
    ]);
  });

  it('reports a directory that a step only lists or reads and nothing writes', () => {
    expect(errors(doc([['shark-run', 'ls /data/x/ > /data/list.txt']]))).toEqual([
      '2:4: nothing writes /data/x/: `ls` only reads it; write it in an earlier step, import it, or name it as a frontmatter input',
    ]);
    expect(errors(doc([['shark-run', 'echo hi > /data/a.txt\ncat /data/a.txt /data/b.txt | wc -l > /data/n']]))).toEqual([
      '3:17: nothing writes /data/b.txt: `cat` only reads it; write it in an earlier step, import it, or name it as a frontmatter input',
    ]);
  });

  it('sees a reader through a brace group, a subshell, `!`, `time -p` and a compound command', () => {
    const nothing = (at: string, program: string): string =>
      `${at}: nothing writes /data/summary.txt: \`${program}\` only reads it; write it in an earlier step, import it, or name it as a frontmatter input`;
    expect(errors(doc([['shark-run', '{ cat /data/summary.txt; echo x; } > /data/report.txt']]))).toEqual([nothing('2:7', 'cat')]);
    expect(errors(doc([['shark-run', 'true && { cat /data/summary.txt; } > /data/report.txt']]))).toEqual([nothing('2:15', 'cat')]);
    expect(errors(doc([['shark-run', '( cat /data/summary.txt ) > /data/report.txt']]))).toEqual([nothing('2:7', 'cat')]);
    expect(errors(doc([['shark-run', '! grep x /data/summary.txt > /data/report.txt']]))).toEqual([nothing('2:10', 'grep')]);
    expect(errors(doc([['shark-run', 'time -p cat /data/summary.txt > /data/report.txt']]))).toEqual([nothing('2:13', 'cat')]);
    expect(errors(doc([['shark-run', 'if cat /data/summary.txt; then echo x; fi > /data/report.txt']]))).toEqual([nothing('2:8', 'cat')]);
    expect(errors(doc([['shark-run', 'for f in a; do cat /data/summary.txt; done > /data/report.txt']]))).toEqual([nothing('2:20', 'cat')]);
  });

  it('sees a lister through a brace group: it does not make the step write the directory it lists', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-run {id=make}', 'echo > /data/b/sub/t.csv'],
      ['shark-run {id=use}', '{ ls /data/b/; cat /data/b/sub/t.csv; } > /data/list.txt'],
    ]));
    expect(flow(p)).toEqual(['make:  -> /data/b/sub/t.csv', 'use: /data/b/<make /data/b/sub/t.csv<make -> /data/list.txt']);
  });
});

describe('a map whose output directory lacks its trailing `/`', () => {
  it('says `+.` needs an extension, hinting + and +.EXT (it hinted `+/+`, refused, and a directory named `+.`)', () => {
    expect(errors(doc([
      ['shark-import', 'zenodo:1/s.zip /data/in/ extract'],
      ['shark-run', 'cat /data/in/* > /data/out/+.'],
    ]))).toEqual([
      "6:18: `/data/out/+.` would be written by every job of this map over /data/in/*: `+.` needs an extension after its dot: name each job's output /data/out/+ (the item's name) or /data/out/+.EXT (its name with a new extension, as /data/out/+.csv)",
    ]);
  });

  it('hints to add it', () => {
    expect(errors(doc([
      ['shark-import', 'zenodo:1/s.zip /data/species/ extract'],
      ['shark-run', 'aohcalc --speciesdata /data/species/* --output /data/aohs/current'],
    ]))).toEqual([
      '6:48: `/data/aohs/current` would be written by every job of this map over /data/species/*: if it is a directory the jobs write into, add the trailing `/` (/data/aohs/current/); or name each job\'s output with + (/data/aohs/current/+); ' +
        'or, for one job that reads them all (a reduce), name the directory instead of the wildcard: `cd /data/species/ && aohcalc --speciesdata * …`',
    ]);
  });

  it('keeps the arguments before the wildcard in the reduce it hints, and no find when others follow it', () => {
    expect(errors(doc([
      ['shark-import', 'zenodo:1/s.zip /data/in/ extract'],
      ['shark-run', 'python3 aoh.py --range /data/in/*.txt --output /data/aohs/current'],
    ]))[0]).toMatch(/name the directory instead of the wildcard: `cd \/data\/in\/ && python3 aoh.py --range \*\.txt …`$/);
    expect(errors(doc([
      ['shark-import', 'zenodo:1/s.zip /data/in/ extract'],
      ['shark-run', 'awk \'{ s += $1 } END { print s }\' /data/in/*.txt > /data/sum.txt'],
    ]))[0]).toMatch(/`find \/data\/in\/ -name '\*\.txt' -exec awk … \{\} \+` or `cd \/data\/in\/ && awk … \*\.txt`$/);
  });
});

describe('a map whose plain-file output was meant as a reduce', () => {
  it('says how to read the directory in one job, once for a sweep', () => {
    expect(errors(doc([
      ['shark-import', 'ranges/%{TAXA}/ /data/ranges/%{TAXA}/'],
      ['shark-run', "cat /data/ranges/%{TAXA}/*.csv | awk -F, '{ s += $2 } END { print s }' > /data/sum/%{TAXA}.txt"],
    ], 'TAXA: [AMPHIBIA, AVES]'))).toEqual([
      "10:74: `/data/sum/AMPHIBIA.txt` would be written by every job of this map over /data/ranges/AMPHIBIA/*.csv: name each job's output with + (/data/sum/AMPHIBIA/+) or write into a directory (/data/sum/AMPHIBIA.txt/); " +
        "or, for one job that reads them all (a reduce), name the directory instead of the wildcard: `find /data/ranges/AMPHIBIA/ -name '*.csv' -exec cat {} +` or `cd /data/ranges/AMPHIBIA/ && cat *.csv` " +
        '(and likewise for each TAXA)',
    ]);
  });

  it('names the program of the map, and no find for a wildcard over several levels', () => {
    expect(errors(doc([
      ['shark-import', 'zenodo:1/s.zip /data/s/ extract'],
      ['shark-run', 'wc -l /data/s/*/*.csv > /data/lines.txt'],
    ]))).toEqual([
      "6:25: `/data/lines.txt` would be written by every job of this map over /data/s/*/*.csv: name each job's output with + (/data/lines/+) or write into a directory (/data/lines.txt/); " +
        'or, for one job that reads them all (a reduce), name the directory instead of the wildcard: `cd /data/s/ && wc -l */*.csv`',
    ]);
  });

  it('quotes a directory holding a space in the commands it hints, so they run as typed', () => {
    expect(errors(doc([
      ['shark-run', 'mkdir -p "/data/out dir" && echo 1 > "/data/out dir/a.txt"'],
      ['shark-run', 'cat "/data/out dir/"* > /data/all.txt'],
    ]))[0]).toMatch(/`find '\/data\/out dir\/' -name '\*' -exec cat \{\} \+` or `cd '\/data\/out dir\/' && cat \*`$/);
  });

  it('hints a loop in the directory for a loop over the wildcard, not `find … -exec for`', () => {
    expect(errors(doc([
      ['shark-import', 'zenodo:1/r.zip /data/ranges/ extract'],
      ['shark-run', 'for f in /data/ranges/*.csv; do\n  tail -n +2 "$f" >> /data/all.csv\ndone'],
      // After the warning at the loop (shell-blind-spots.test.ts).
    ]))[1]).toMatch(/or, for one job that reads them all \(a reduce\), loop in the directory instead: `cd \/data\/ranges\/ && for f in \*\.csv; do …; done`$/);
  });
});

describe('a prefix a program writes files after', () => {
  it('makes its directory the output of split and csplit, a map over it reading what they wrote', () => {
    const p = loadAllowingWarnings(doc([
      ['shark-run {id=in}', 'seq 25 > /data/in.txt'],
      ['shark-run {id=split}', 'split -l 10 -a 2 /data/in.txt /data/parts/chunk-'],
      ['shark-run {id=cs}', 'csplit -s -f /data/cs/part- /data/in.txt 5 15 && csplit -s --prefix=/data/cs2/p- /data/in.txt 9'],
      ['shark-run {id=count}', 'wc -l < /data/parts/* > /data/counts/+'],
    ]));
    const step = (id: string) => p.stepsById.get(id)!;
    expect(step('split').outputs.map((o) => [o.path, o.isDir])).toEqual([['/data/parts', true]]);
    expect(step('cs').outputs.map((o) => o.path)).toEqual(['/data/cs', '/data/cs2']);
    expect(step('count').inputs.map((i) => [i.path, i.pattern, i.from])).toEqual([['/data/parts', '*', ['split']]]);
  });
});
