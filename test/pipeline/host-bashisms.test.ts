import { spawnSync } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import { doc } from '../helpers/documents.js';

function warnings(source: string): string[] {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  expect(pipeline).toBeDefined();
  return diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`);
}

/** What /bin/sh prints for `script`, and bash for it, each in an empty directory of its own. */
function shells(script: string): { sh: string; bash: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shark-bashisms-'));
  try {
    const run = (shell: string): string => spawnSync(shell, ['-c', script], { encoding: 'utf8', cwd: dir }).stdout;
    return { sh: run('/bin/sh'), bash: run('bash') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DASH = /dash$/.test(readlinkSync('/bin/sh'));

describe('what bash reads one way and dash, which runs a host step, another', () => {
  it('warns at &>, a brace range, $\'…\', [[, source and echo -e in a host block, not in quotes, here-documents or containers', () => {
    const shown = warnings(doc([
      ['shark-run {id=a}', [
        'seq 3 &> /data/amp.txt',
        'for i in {1..3}; do echo $i; done > /data/r.txt',
        "printf '%s' $'a\\tb' > /data/t.txt",
        '[[ -f x ]] && echo y > /data/y.txt',
        'source ./x.sh; echo "$X" > /data/x.txt',
        'echo -e "a\\tb" > /data/e.txt',
        "echo \"&> {1..3} $'x'\" '[[' > /data/q.txt",
        'cat <<EOF > /data/h.txt\nseq 3 &> f {1..3}\nEOF',
        'seq 3 > /data/ok.txt 2>&1',
      ].join('\n')],
      ['shark-run:env {id=b}', 'seq 3 &> /data/c.txt\necho {1..3} > /data/d.txt'],
      ['shark-build:env', 'FROM busybox'],
    ]));
    expect(shown).toEqual([
      expect.stringMatching(/^2:7: `&>` is bash's: \/bin\/sh on Debian \(dash\), which runs a host step, reads `cmd &> FILE` as `cmd &` then `> FILE`: .* write `cmd > FILE 2>&1`$/),
      expect.stringMatching(/^3:10: `\{1\.\.3\}` is bash's: .* leaves it as written/),
      expect.stringMatching(/^4:13: `\$'…'` is bash's/),
      expect.stringMatching(/^5:1: `\[\[ … \]\]` is bash's: .* says `\[\[: not found`/),
      expect.stringMatching(/^6:1: `source` is bash's: .* write `\. FILE`$/),
      expect.stringMatching(/^7:1: `echo -e` is bash's: .* prints the `-e`/),
    ]);
  });

  it.runIf(DASH)('each warned-of line does differ under /bin/sh here', () => {
    expect(shells('seq 3 &> amp.txt; wait; wc -c < amp.txt')).toEqual({ sh: '1\n2\n3\n0\n', bash: '6\n' });
    expect(shells('echo {1..3}')).toEqual({ sh: '{1..3}\n', bash: '1 2 3\n' });
    expect(shells("printf '%s' $'a\\tb'")).toEqual({ sh: '$a\\tb', bash: 'a\tb' });
    expect(shells('echo -e x')).toEqual({ sh: '-e x\n', bash: 'x\n' });
  });

  it('warns at a path in the code `find -exec sh -c` runs, as in `sh -c`, not at find\'s own operands', () => {
    const shown = warnings(doc([
      ['shark-run {id=a}', "echo 1 > /data/a.txt\nfind /data/a.txt -exec sh -c 'cat \"$1\" > /data/f.txt' sh {} \\; > /data/l.txt"],
    ]));
    expect(shown).toEqual([expect.stringMatching(/^3:42: Shark does not see `\/data\/f\.txt` here, inside `sh`'s quoted code/)]);
  });

  it('warns at an `exec` of redirections alone, and at a variable set beside other commands then used by a later one', () => {
    const shown = warnings(doc([
      ['shark-run {id=a}', [
        'n=3; echo $n > /data/a.txt',
        'echo "${n}" > /data/b.txt',
        'export X=1 && echo $X > /data/c.txt',
        'echo $X > /data/d.txt',
        'K=5',
        'echo $K > /data/e.txt',
        'N=3 true; echo "$N" > /data/f.txt',
        'm=7; echo $m',
        'for m in 1 2; do echo $m; done > /data/h.txt',
        'exec > /data/log.txt 2>&1',
        'echo hi > /data/i.txt',
      ].join('\n')],
    ]));
    expect(shown).toEqual([
      expect.stringMatching(/^3:7: `\$n` is set on line 2 by a command with others on its line: each command of a block runs in a shell of its own, so it is not set here; set it on a line of its own \(`n=…`\)/),
      expect.stringMatching(/^5:6: `\$X` is set on line 4 by a command with others/),
      expect.stringMatching(/^11:1: `exec` with only redirections is a step of its own/),
    ]);
  });
});
