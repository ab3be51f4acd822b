import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import { doc } from '../helpers/documents.js';

function warnings(source: string): string[] {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  expect(pipeline).toBeDefined();
  return diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}`);
}

describe('what a command says that Shark cannot follow', () => {
  it('warns at a `> ` continuing a transcript\'s command: a terminal\'s continuation prompt, read as a redirection (it wrote a file named `there`)', () => {
    expect(warnings(doc([['shark-run', '$ echo hi \\\n>   there > /data/a.txt\n$ cat /data/a.txt']]))).toEqual([
      '3:1: warning: this `> ` continues the command above as a redirection: a terminal shows `> ` as its continuation prompt, which is no part of the command; '
        + 'remove it (or, to redirect, write the `>` on the line above)',
    ]);
    // Not outside a transcript, nor after a line that does not continue.
    expect(warnings(doc([['shark-run', 'echo hi \\\n> /data/a.txt']]))).toEqual([]);
  });

  it('warns at a /data path inside a program\'s quoted code: not placed, not keyed, on the host the machine\'s own', () => {
    const shown = warnings(doc([
      ['shark-run {id=a}', 'echo x > /data/list.txt'],
      ['shark-run {id=b}', `python3 -c "import sys; print(sum(1 for l in open('/data/list.txt')))" > /data/n.txt\nawk 'BEGIN { while ((getline l < "/data/n.txt") > 0) print l }' > /data/m.txt`],
    ]));
    expect(shown).toEqual([
      "6:52: warning: Shark does not see `/data/list.txt` here, inside `python3`'s quoted code: it is no input or output of the step, and on the host it names the machine's own /data. "
        + "Give it to the program as an argument of its own (`python3 -c '…sys.argv[1]…' /data/x`, `sh -c '… \"$1\"' sh /data/x`)",
      expect.stringMatching(/^7:35: warning: Shark does not see `\/data\/n\.txt` here, inside `awk`'s quoted code/),
    ]);
  });

  it('is quiet about paths it sees, comments, and names that only end in data', () => {
    expect(warnings(doc([
      ['shark-run {id=a}', 'echo 1 > /data/a.txt # copy of /data/b.txt\nn="$(wc -l < /data/a.txt)"; echo "$n" > /data/n.txt\ncat /mnt/data/x $HOME/data/y > /data/c.txt'],
      ['shark-run:env {id=b}', `sh -c 'cat "$1"' sh /data/a.txt > /data/d.txt\ngrep ' /data/a.txt ' /proc/self/mountinfo > /data/e.txt\ncat > /data/conf.ini <<EOF\nyears = /data/a.txt\nEOF`],
      ['shark-build:env', 'FROM busybox'],
    ]))).toEqual([]);
  });

  it('warns at a /data path in a here-document an interpreter reads as its code, not in one it reads as data', () => {
    const shown = warnings(doc([
      ['shark-run {id=a}', 'echo x > /data/list.txt'],
      ['shark-run {id=b}', 'python3 - <<EOF > /data/n.txt\nprint(open("/data/list.txt").read())\nEOF\nsh <<\'END\'\ncat /data/list.txt > /data/m.txt\nEND'],
      ['shark-run {id=c}', 'python3 fit.py <<EOF > /data/o.txt\n/data/list.txt\nEOF\nawk \'{ print }\' <<EOF > /data/p.txt\n/data/list.txt\nEOF\nsh -c \'cat\' <<EOF > /data/q.txt\n/data/list.txt\nEOF'],
    ]));
    expect(shown).toEqual([
      "7:13: warning: Shark does not see `/data/list.txt` here, in the here-document `python3` reads as its code: it is no input or output of the step, and on the host it names the machine's own /data. "
        + "Give it to the program as an argument of its own (`python3 - /data/x <<EOF` and `sys.argv[1]`, `sh -s /data/x <<EOF` and `\"$1\"`)",
      expect.stringMatching(/^10:5: warning: Shark does not see `\/data\/list\.txt` here, in the here-document `sh` reads as its code/),
      expect.stringMatching(/^10:22: warning: Shark does not see `\/data\/m\.txt` here, in the here-document `sh` reads as its code/),
    ]);
  });

  it('warns at a `\\` that spaces follow at the end of a line: sh reads an escaped space, and the next line as a command', () => {
    expect(warnings(doc([
      ['shark-run {id=a}', 'echo b > /data/in.txt'],
      ['shark-run {id=b}', 'sort \\ \n  /data/in.txt > /data/s.txt\nif true; then\n  echo \\\t\n  ok\nfi'],
      ['shark-run {id=c}', "echo 'a\\ ' > /data/q.txt\necho a\\ b \\\\ > /data/r.txt\ncat > /data/m.mk <<'EOF'\nall: \\ \nEOF"],
    ]))).toEqual([
      expect.stringMatching(/^6:6: warning: this line ends in `\\` and a space: sh reads them as an escaped space, not a line continuation/),
      expect.stringMatching(/^9:8: warning: this line ends in `\\` and a space/),
    ]);
  });

  it('warns at an HTML comment in a block, which markdown shows as text and sh runs', () => {
    expect(warnings(doc([
      ['shark-run {id=a}', 'echo a > /data/a.txt\n  <!-- echo b > /data/b.txt -->\necho "<!-- x -->" > /data/c.txt'],
    ]))).toEqual([
      expect.stringMatching(/^3:3: warning: an HTML comment is no comment inside a code block: markdown shows it as text, and sh runs it \(`<!--` reads a file named `!--`\); comment the line out with `#`/),
    ]);
  });

  it('warns at what a command of its own leaves for the next, which each runs in a shell of its own: a function, a sourced file; and at pipefail on the host', () => {
    const shown = warnings(doc([
      ['shark-run {id=a}', 'greet() { echo "hi $1"; }\ngreet x > /data/g.txt\n. ./env.sh\necho "$GREETING" > /data/e.txt\nset -euo pipefail\necho ok > /data/o.txt'],
      // On one line, the function is the step's own; a container's sh is its own business.
      ['shark-run {id=b}', 'f() { echo 1; }; f > /data/f.txt\n. ./env.sh && echo "$X" > /data/x.txt'],
      ['shark-run:env {id=c}', 'set -o pipefail\necho 1 > /data/c.txt'],
      ['shark-build:env', 'FROM busybox'],
    ]));
    expect(shown).toEqual([
      expect.stringMatching(/^3:1: warning: `greet` is the function defined on line 2, a command of its own/),
      expect.stringMatching(/^4:1: warning: `\. \.\/env\.sh` alone is a step of its own/),
      expect.stringMatching(/^6:10: warning: `set -o pipefail` is not known to \/bin\/sh on Debian \(dash\)/),
    ]);
  });

  it('warns at a line of backquotes inside a block whose fence is longer: sh reads command substitution (it ran `this: not found`), not in a here-document', () => {
    const source = '# A\n\n````shark-run\nseq 1 3 > /data/a.txt\n```\nthis is inside\n```\n````\n\n````shark-run\ncat > /data/n.md <<\'EOF\'\n```\ncode\n```\nEOF\n````\n';
    expect(warnings(source)).toEqual([
      expect.stringMatching(/^5:1: warning: this ``` line is inside the block \(its fence is another\), and sh reads its backquotes as a command substitution/),
      expect.stringMatching(/^7:1: warning: this ``` line is inside the block/),
    ]);
  });

  it('warns at bash\'s process substitution, which /bin/sh refuses, but not at a quoted one', () => {
    expect(warnings(doc([
      ['shark-run {id=a}', 'echo a > /data/a.txt; echo b > /data/b.txt'],
      ['shark-run {id=b}', "join <(sort /data/a.txt) <(sort /data/b.txt) > /data/j.txt\necho '<(x)' > /data/q.txt"],
    ]))).toEqual([
      expect.stringMatching(/^6:6: warning: process substitution \(`<\(…\)`, `>\(…\)`\) is bash's: a step runs with \/bin\/sh/),
      expect.stringMatching(/^6:26: warning: process substitution/),
    ]);
  });

  it('warns at a for loop over a wildcard /data path: a map, each job looping over its one item (a counter numbered each item 1)', () => {
    const shown = warnings(doc([
      ['shark-run {id=a}', 'mkdir -p /data/in && seq 3 > /data/in/a.csv'],
      ['shark-run {id=b}', 'for f in /data/in/*.csv; do i=$((i+1)); echo "$i $f"; done > /data/num/+\nfor y in 2020 2021; do echo $y; done > /data/y.txt\ncat > /data/s.sh <<EOF\nfor f in /data/in/*.csv; do :; done\nEOF'],
    ]));
    expect(shown).toEqual([
      expect.stringMatching(/^6:10: warning: `for f in \/data\/in\/\*\.csv` makes this command a map over \/data\/in\/: each job runs the loop once, over its own item, .* read the directory \(`cd \/data\/in\/ && for f in \*\.csv; do …`\)/),
    ]);
  });
});
