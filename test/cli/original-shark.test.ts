import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, Rig, type PlanJson } from '../support/rig.js';

const PUBLISH2 =
  'method.md:36:4: warning: unknown Shark block `shark-publish2`: ignored (did you mean `shark-publish`? Shark reads shark-build, shark-run, shark-import and shark-publish; write {skip} after a tag to switch a block off)';
const MISSING = 'method.md:42:14: warning: environment `missing-env` has no shark-build block: this block cannot run (defined: gdal-env)';

/** The first line of each diagnostic on stderr. */
const heads = (stderr: string): string[] => stderr.split('\n').filter((l) => /^\S+:\d+:\d+: /.test(l));

// fixtures/original-shark/method.md: shaped like the original Shark's documents (LIFE's method.md).
describe.concurrent('a document of the original Shark', () => {
  let rig: Rig;
  beforeAll(() => {
    rig = new Rig();
    cpSync(join(ROOT, 'fixtures/original-shark'), rig.dir, { recursive: true });
  });
  afterAll(() => rig.cleanup());

  it('passes check with two located warnings, exit 0', async () => {
    const r = await rig.shark(['check', 'method.md']);
    expect(heads(r.stderr)).toEqual([PUBLISH2, MISSING]);
    expect(r.stderr).toContain('   36 | ```shark-publish2\n      |    ^\n');
    expect(r.stdout).toBe('method.md: ok — 4 blocks, 3 steps, 1 environment\n');
    expect(r.code).toBe(0);
  });

  it('draws it with dag, including the step with no environment', async () => {
    const r = await rig.shark(['dag', 'method.md', '--json']);
    expect(r.code).toBe(0);
    expect(heads(r.stderr)).toEqual([PUBLISH2, MISSING]);
    const dag = JSON.parse(r.stdout) as { blocks: { id: string; env: string | null; after: string[] }[] };
    expect(dag.blocks.map((b) => [b.id, b.env, b.after])).toEqual([
      ['the-environment', 'gdal-env', []],
      ['species', 'host', []],
      ['summary', 'gdal-env', ['the-environment', 'species']],
      ['validation', 'missing-env', ['summary']],
    ]);
  });

  it('plans it, listing the step with no environment as blocked with the reason', async () => {
    const text = await rig.shark(['plan', 'method.md']);
    expect(text.code).toBe(0);
    expect(heads(text.stderr)).toEqual([PUBLISH2, MISSING]);
    expect(text.stdout).toMatch(/^blocked +validation +method\.md:43 +environment `missing-env` has no shark-build block: this block cannot run$/m);
    const ran = await rig.shark(['plan', 'method.md', '--json']);
    const plan = JSON.parse(ran.stdout) as PlanJson;
    expect(plan.jobs.find((j) => j.step === 'validation')).toMatchObject({
      status: 'blocked',
      reasons: ['environment `missing-env` has no shark-build block: this block cannot run'],
    });
  });

  it('refuses to run it: exit 2, the missing environment as a located error, nothing run', async () => {
    const r = await rig.shark(['run', 'method.md']);
    expect(r.code).toBe(2);
    expect(heads(r.stderr)).toEqual([PUBLISH2, MISSING.replace(': warning: ', ': error: ')]);
    expect(r.stderr.endsWith('\n1 error in method.md\n')).toBe(true);
    expect(r.stdout).toBe('');
    expect(rig.exists('_shark')).toBe(false);
  });
});

/** What reads a step that can never run is blocked behind it, and says so: that upstream will not run. */
describe('steps reading from one whose environment has no shark-build block', () => {
  it('are blocked with the upstream named as blocked and why, also further down', async () => {
    const rig = new Rig();
    try {
      rig.write('test.md', '# Test\n\n```shark-run:nope\necho a > /data/a.txt\n```\n\n```shark-run\ncat /data/a.txt > /data/b.txt\n```\n\n```shark-run\ncat /data/b.txt > /data/c.txt\n```\n');
      const r = await rig.shark(['plan', 'test.md', '--json']);
      expect(r.code).toBe(0);
      const why = 'environment `nope` has no shark-build block';
      expect((JSON.parse(r.stdout) as PlanJson).jobs.map((j) => [j.step, j.status, j.reasons])).toEqual([
        ['test', 'blocked', [`${why}: this block cannot run`]],
        ['test-2', 'blocked', [`upstream is blocked (test: ${why})`]],
        ['test-3', 'blocked', [`upstream is blocked (test-2, behind test: ${why})`]],
      ]);
    } finally {
      rig.cleanup();
    }
  });

  it('says a map behind it waits on a step that cannot run, not on its directory being made', async () => {
    const rig = new Rig();
    try {
      rig.write('test.md', '# Test\n\n```shark-run:nope\nmkdir -p /data/d && echo a > /data/d/x.txt\n```\n\n```shark-run\ncat /data/d/* > /data/out/+\n```\n');
      const r = await rig.shark(['plan', 'test.md']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^blocked +test-2 +test\.md:8 +upstream is blocked \(test: environment `nope` has no shark-build block\)$/m);
      expect(r.stdout).toContain('1 job: 0 cached, 0 to run, 1 blocked; 1 map blocked behind a step that cannot run (test)\n');
      expect(r.stdout).not.toContain('is made');
    } finally {
      rig.cleanup();
    }
  });
});

/** What reads a step that fails before it runs (two jobs write one file), and what reads that, is blocked behind it. */
describe('steps behind one that fails before running', () => {
  it('say the blocked step they wait on is blocked, and behind which failure', async () => {
    const rig = new Rig();
    try {
      rig.write('r/a.tif', '1\n');
      rig.write('r/a.csv', '2\n');
      rig.write('p.md', [
        '---', 'inputs:', '  r: /data/r/', '---', '# T', '',
        '```shark-run', 'cat /data/r/* > /data/m/+.n', '```', '',
        '```shark-run', 'cd /data/m/ && cat * > /data/s.txt', '```', '',
        '```shark-run', 'cat /data/s.txt > /data/u.txt', '```', '',
        '```shark-run', 'cat /data/u.txt > /data/v.txt', '```', '',
      ].join('\n'));
      const r = await rig.shark(['plan', 'p.md', '-i', 'r=r', '--json']);
      expect(r.code).toBe(0);
      const clash = 'two jobs write /data/m/a.n: items a.csv and a.tif';
      expect((JSON.parse(r.stdout) as PlanJson).jobs.map((j) => [j.step, j.status, j.reasons])).toEqual([
        ['t', 'run', [`${clash} (line 8, column 17)`]],
        ['t-2', 'blocked', [`upstream fails (t: ${clash})`]],
        ['t-3', 'blocked', [`upstream is blocked (t-2, behind t: ${clash})`]],
        ['t-4', 'blocked', [`upstream is blocked (t-3, behind t: ${clash})`]],
      ]);
    } finally {
      rig.cleanup();
    }
  });
});

describe('blocks switched off', () => {
  it('runs a document with an unknown shark-* block and a {skip} block: a warning, exit 0', async () => {
    const rig = new Rig();
    try {
      rig.write('p.md', [
        '```shark-run', 'echo a > /data/a.txt', '```', '',
        '```shark-run {skip}', 'echo ran >> ../counter', '```', '',
        '```shark-publish2', '/data/a.txt', '```', '',
        '```shark-publish', '/data/a.txt', '```', '',
      ].join('\n'));
      const r = await rig.shark(['run', 'p.md']);
      expect(heads(r.stderr)).toEqual([expect.stringMatching(/^p\.md:9:4: warning: unknown Shark block `shark-publish2`: ignored/)]);
      expect(r.code).toBe(0);
      expect(rig.read('_shark/a.txt')).toBe('a\n');
      expect(rig.count()).toBe(0);
    } finally {
      rig.cleanup();
    }
  });
});

describe('a block whose commands shared one filesystem in the original Shark', () => {
  it('fails the publish of a path the block meant to make later, naming the step that wrote its directory', async () => {
    const rig = new Rig();
    try {
      rig.write('p.md', [
        '## Build', '',
        '```shark-run', 'mkdir -p /data/build/', 'ls /data/build > /data/list.txt', '```', '',
        '```shark-publish', '/data/build/bin/tool', '```', '',
      ].join('\n'));
      const r = await rig.shark(['run', 'p.md']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('cannot publish /data/build/bin/tool: /data/build/bin/tool does not exist in /data/build/, written by step `build.1`');
    } finally {
      rig.cleanup();
    }
  });
});

describe('a transcript with an unprompted command', () => {
  it('warns at the line, showing it, in check, plan and run, and exits as before', async () => {
    const rig = new Rig();
    try {
      rig.write('p.md', ['```shark-run', '$ mkdir -p /data/x/', 'echo hi > /data/x/a.txt', '```', ''].join('\n'));
      for (const command of ['check', 'plan', 'run']) {
        const r = await rig.shark([command, 'p.md']);
        expect(r.code, command).toBe(0);
        expect(heads(r.stderr), command).toEqual([expect.stringMatching(/^p\.md:3:1: warning: this line has no `\$ ` prompt, .*write `\$ ` before it to run it$/)]);
        expect(r.stderr, command).toContain('    3 | echo hi > /data/x/a.txt\n');
      }
    } finally {
      rig.cleanup();
    }
  });
});

describe("the original Shark's commands", () => {
  it.each([
    [['md', 'p.md', '--no-run'], '`shark md` is the original Shark\'s command: run the document with `shark run FILE` (`shark plan FILE` shows what would run)'],
    [['dot', 'p.md'], '`shark dot` is the original Shark\'s command: draw the DAG with `shark dag FILE -f dot`'],
    [['editor', 'p.md'], '`shark editor` is the original Shark\'s command: `shark serve FILE` shows the document with its results as a web page'],
    [['build', '.', '-f', 'specs/tmf.spec', '--store=zfs:obuilder-zfs'], '`shark build` is the original Shark\'s command: put the spec in a ```shark-build:ENV block of a document, and `shark run FILE` builds it when a block runs in ENV'],
  ])('shark %j says what to use instead, exit 2', async (args, said) => {
    const rig = new Rig();
    try {
      rig.write('p.md', '```shark-run\necho hi > /data/x\n```\n');
      const r = await rig.shark(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`shark: error: ${said}\n`);
      expect(r.stdout).toBe('');
    } finally {
      rig.cleanup();
    }
  });

  it('are not listed in the help', async () => {
    const rig = new Rig();
    try {
      const r = await rig.shark(['--help']);
      expect(r.stdout).not.toMatch(/^\s+(md|dot|editor|build)\b/m);
    } finally {
      rig.cleanup();
    }
  });
});
