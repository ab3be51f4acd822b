import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';

describe('cd into a /data directory', () => {
  it('makes the directory an input of the commands below it', () => {
    const { pipeline, diagnostics } = loadPipeline('p.md', [
      '# P', '', '```shark-run', 'mkdir -p /data/out/ && echo x > /data/out/a', '```', '',
      '```shark-run', 'cd /data/out/', 'ls > /data/list.txt', '```', '',
    ].join('\n'));
    expect(diagnostics).toEqual([]);
    const list = pipeline!.steps.find((s) => s.outputs.some((o) => o.path === '/data/list.txt'))!;
    expect(list.inputs.map((i) => [i.path, i.isDir, i.at.line])).toEqual([['/data/out', true, 8]]);
    expect(list.after).toEqual([pipeline!.steps[0]!.id]);
  });

  it('takes `cd //data/x` for /data/x, the directory the step is given, and refuses `cd //data` as `cd /data`', () => {
    const { pipeline, diagnostics } = loadPipeline('p.md', [
      '# P', '', '```shark-run', 'mkdir -p /data/out/ && echo x > /data/out/a', '```', '',
      '```shark-run', 'cd //data/out/', 'ls > /data/list.txt', '```', '',
    ].join('\n'));
    expect(diagnostics).toEqual([]);
    const list = pipeline!.steps.find((s) => s.outputs.some((o) => o.path === '/data/list.txt'))!;
    expect([list.cwd, list.inputs.map((i) => [i.path, i.isDir])]).toEqual(['/data/out', [['/data/out', true]]]);
    const refused = loadPipeline('p.md', ['# P', '', '```shark-run', 'echo x > /data/x', 'cd //data', 'ls > /data/a', 'cd /tmp/../data/x', 'ls > /data/b', '```', ''].join('\n'));
    expect(refused.diagnostics.map((d) => `${d.at.line}:${d.at.col} ${d.message}`)).toEqual([
      '5:4 `cd //data`: `//data` names /data itself: name a file or directory under it',
      '7:4 `cd /tmp/../data/x`: `/tmp/../data/x` leads into /data through `..`: write the /data/... path itself',
    ]);
  });

  it('reports a cd into a directory nobody writes, at the directory', () => {
    const { diagnostics } = loadPipeline('p.md', ['# P', '', '```shark-run', 'cd /data/nowhere', 'ls > /data/list.txt', '```', ''].join('\n'));
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col} ${d.message}`)).toEqual([
      '4:4 `cd /data/nowhere`: no earlier step writes or imports /data/nowhere',
    ]);
  });

  it('refuses a cd to /data itself or out of it, as a path naming it is refused, once for all the commands below it', () => {
    const { diagnostics } = loadPipeline('p.md', [
      '# P', '', '```shark-run', 'echo x > /data/x', 'cd /data', 'ls > /data/list.txt', 'ls > /data/list2.txt', 'cd /data/x/../..', 'ls > /data/up.txt', '```', '',
    ].join('\n'));
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col} ${d.message}`)).toEqual([
      '5:4 `cd /data`: `/data` names /data itself: name a file or directory under it',
      '8:4 `cd /data/x/../..`: path `/data/x/../..` escapes /data',
    ]);
  });
});

describe('cd into a /data directory within a line', () => {
  const written = ['# P', '', '```shark-run', 'mkdir -p /data/d/sub; echo top > /data/d/t.txt', '```', ''];
  const stepOf = (command: string) => {
    const { pipeline, diagnostics } = loadPipeline('p.md', [...written, '```shark-run', command, '```', ''].join('\n'));
    expect(diagnostics).toEqual([]);
    const s = pipeline!.steps[1]!;
    return { reads: s.inputs.map((i) => i.path), writes: s.outputs.map((o) => o.path), after: s.after };
  };

  it('reads the directory, never writes it, even when the line also reads a file in it (it wrote /data/d/, which two steps then wrote)', () => {
    for (const command of ['cd /data/d && ls; cat /data/d/t.txt > /data/cat.txt', '(cd /data/d; cat /data/d/t.txt) > /data/cat.txt', 'cd /data/d/ && cat /data/d/t.txt > /data/cat.txt']) {
      expect(stepOf(command), command).toEqual({ reads: ['/data/d', '/data/d/t.txt'], writes: ['/data/cat.txt'], after: ['p'] });
    }
    for (const command of ['cd /data/d; ls > /data/cat.txt', '(cd /data/d; ls) > /data/cat.txt', 'cd /data/d && ls > /data/cat.txt']) {
      expect(stepOf(command), command).toEqual({ reads: ['/data/d'], writes: ['/data/cat.txt'], after: ['p'] });
    }
  });

  it('refuses a cd into a directory nothing writes (it failed at run time), and keeps one the line makes first as its output', () => {
    const { diagnostics } = loadPipeline('p.md', ['# P', '', '```shark-run', 'cd /data/nowhere && ls > /data/l.txt', '```', ''].join('\n'));
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col} ${d.message}`)).toEqual([
      '4:4 nothing writes /data/nowhere: `cd` only reads it; write it in an earlier step, import it, or name it as a frontmatter input',
    ]);
    const made = loadPipeline('p.md', ['# P', '', '```shark-run', 'mkdir -p /data/m && cd /data/m && echo 1 > /data/m/a', '```', ''].join('\n'));
    expect([made.diagnostics, made.pipeline!.steps[0]!.outputs.map((o) => o.path)]).toEqual([[], ['/data/m']]);
  });
});

describe('a cd line sh would expand', () => {
  it('is an error at its directory for ~, -, a variable or a command substitution (~ was dropped: the step ran in the document\'s directory; $WD failed as internal)', () => {
    const { diagnostics } = loadPipeline('p.md', [
      '---', 'WD: /tmp', '---', '```shark-run', 'cd ~', 'pwd > /data/a.txt', 'cd $WD', 'pwd > /data/b.txt', 'cd "$(dirname /x/y)"', 'pwd > /data/c.txt', 'cd -', 'pwd > /data/d.txt', '```', '',
      '```shark-run', 'cd %{WD}', 'pwd > /data/e.txt', '```', '',
    ].join('\n'));
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col} ${d.message.replace(/:.*/, '')}`)).toEqual([
      '5:4 `cd ~`', '7:4 `cd $WD`', '9:5 `cd $(dirname /x/y)`', '11:4 `cd -`',
    ]);
    expect(diagnostics[0]!.message).toBe("`cd ~`: a cd line's directory is taken as written, and Shark cannot expand `~` in it: write the directory (or %{NAME} for a frontmatter value), or cd inside the command (`cd ~ && …`)");
  });
});
