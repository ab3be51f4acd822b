import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
/** tmf.md's frontmatter: the boundary file is one of the project directory's files. */
const pipeline = `---
inputs:
  boundary: /data/tmf/project_boundaries/123.geojson
  projects: /data/tmf/project_boundaries
---
# Run

${fence}shark-run
echo first >> counter && cat /data/tmf/project_boundaries/123.geojson > /data/tmf/123/buffer.geojson
ls /data/tmf/project_boundaries > /data/tmf/123/list.txt
${fence}

${fence}shark-publish
/data/tmf/123/buffer.geojson
/data/tmf/123/list.txt
${fence}
`;

describe('a frontmatter input bound inside another input\'s directory', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', pipeline);
    rig.write('pb/123.geojson', '{"a":1}\n');
    rig.write('pb/456.geojson', '{"b":2}\n');
  });
  afterEach(() => rig.cleanup());

  it('runs when the file is the very file of the directory (tmf.md\'s layout)', async () => {
    const args = ['-i', 'boundary=pb/123.geojson', '-i', 'projects=pb'];
    const plan = await rig.shark(['plan', 'p.md', ...args]);
    expect(plan.stdout + plan.stderr).not.toMatch(/missing|two steps|error/);
    expect(plan.stdout).toMatch(/2 jobs: 0 cached, 2 to run/);
    const ran = await rig.shark(['run', 'p.md', ...args]);
    expect(ran.stdout + ran.stderr).not.toMatch(/missing|two steps|error/);
    expect(ran.code).toBe(0);
    expect(rig.read('_shark/tmf/123/buffer.geojson')).toBe('{"a":1}\n');
    expect(rig.read('_shark/tmf/123/list.txt')).toBe('123.geojson\n456.geojson\n');
  });

  it('sees the file added to the directory when the directory has no file of that name', async () => {
    rig.write('other/123.geojson', '{"c":3}\n');
    rig.write('pb2/456.geojson', '{"b":2}\n');
    const ran = await rig.shark(['run', 'p.md', '-i', 'boundary=other/123.geojson', '-i', 'projects=pb2']);
    expect(ran.stdout + ran.stderr).not.toMatch(/error/);
    expect(ran.code).toBe(0);
    expect(rig.read('_shark/tmf/123/list.txt')).toBe('123.geojson\n456.geojson\n');
  });

  it('refuses, before any job, a file that differs from the directory\'s file of that name: plan and run alike', async () => {
    rig.write('other/123.geojson', '{"c":3}\n');
    const args = ['-i', 'boundary=other/123.geojson', '-i', 'projects=pb'];
    for (const command of ['plan', 'run']) {
      const r = await rig.shark([command, 'p.md', ...args]);
      expect(r.code, command).toBe(2);
      expect(r.stderr).toMatch(/^p\.md:3:13: error: input `boundary` is bound to other\/123\.geojson, which differs from pb\/123\.geojson in input `projects` \(\/data\/tmf\/project_boundaries\)/m);
      expect(r.stdout + r.stderr).not.toMatch(/missing|two steps|done|FAILED +run|at .*\.js/);
    }
    expect(rig.count()).toBe(0);
  });

  it('refuses a directory input whose file differs from the outer directory\'s, naming the file', async () => {
    rig.write('q.md', `---
inputs:
  all: /data/in
  sub: /data/in/sub
---

${fence}shark-run
ls -R /data/in > /data/out.txt
${fence}
`);
    rig.write('all/sub/same.txt', 'same\n');
    rig.write('all/sub/x.txt', 'one\n');
    rig.write('mine/same.txt', 'same\n');
    rig.write('mine/x.txt', 'two\n');
    const r = await rig.shark(['plan', 'q.md', '-i', 'all=all', '-i', 'sub=mine']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^q\.md:4:8: error: input `sub` is bound to mine, whose mine\/x\.txt differs from all\/sub\/x\.txt in input `all` \(\/data\/in\)/m);
    rig.write('mine/x.txt', 'one\n');
    rig.write('mine/y.txt', 'new\n');
    const ok = await rig.shark(['run', 'q.md', '-i', 'all=all', '-i', 'sub=mine']);
    expect(ok.stdout + ok.stderr).not.toMatch(/error/);
    expect(ok.code).toBe(0);
  });

  it('refuses two inputs naming the same path, at the second one\'s entry: check, plan and run, before any job', async () => {
    rig.write('same.md', `---
inputs:
  a: /data/x
  b: /data/./x/
---

${fence}shark-run
echo first >> counter && cat /data/x > /data/out.txt
${fence}
`);
    rig.write('f1', 'one\n');
    rig.write('f2', 'two\n');
    for (const command of ['check', 'plan', 'run']) {
      const r = await rig.shark([command, 'same.md', ...(command === 'check' ? [] : ['-i', 'a=f1', '-i', 'b=f2'])]);
      expect(r.code, command).toBe(2);
      expect(r.stderr).toContain('same.md:4:6: error: input `b`: `/data/x` is already input `a`: two inputs cannot name one path (each path has one writer)\n');
      expect(r.stderr).toContain('same.md:3:6: note: input `a` is declared here');
    }
    expect(rig.count()).toBe(0);
  });
});
