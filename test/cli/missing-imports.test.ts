import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A local import whose source is not there: refused at the import line before any job, as an unreadable one is. */
describe('a local import that does not exist', () => {
  const rig = new Rig();
  afterAll(() => rig.cleanup());

  rig.write('m.md', '---\nTAXA: [AVES, REPTILIA]\n---\n\n```shark-import\ninputs/%{TAXA}/ /data/ranges/%{TAXA}/\n```\n');
  rig.write('inputs/AVES/a.csv', 'x\n');

  it('is exit 2 at the import line with the line shown, for plan and run, and records no run', async () => {
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'm.md']);
      expect(ran.stderr).toContain(`m.md:6:1: error: local import \`inputs/REPTILIA/\` does not exist (looked for ${rig.path('inputs/REPTILIA')})\n`
        + '    6 | inputs/%{TAXA}/ /data/ranges/%{TAXA}/\n      | ^\n');
      expect(ran.stderr).not.toMatch(/\n\s+at /);
      expect(ran.code).toBe(2);
    }
    const runs = await rig.shark(['runs', 'm.md']);
    expect(runs.stdout).not.toMatch(/^\s*1\s/m);
  });

  it('passes check, which reads no local files (as for a missing {deps} file)', async () => {
    expect((await rig.shark(['check', 'm.md'])).code).toBe(0);
  });
});

/** A local directory given what only a file can take: plan called it `run`, and run failed the job (exit 1) every time. */
describe('a local import of a directory with a checksum or extract', () => {
  const rig = new Rig();
  afterAll(() => rig.cleanup());
  rig.write('in/a.csv', 'x\n');

  it.each([
    ['in/ /data/in/ md5:00000000000000000000000000000000', 'a checksum pins one file; in/ is a directory'],
    ['file:in /data/in/ extract', 'cannot extract in: it is a directory, not an archive'],
  ])('is exit 2 at the import line for plan and run, and records no run (%s)', async (line, message) => {
    rig.write('d.md', `# d\n\n\`\`\`shark-import\n${line}\n\`\`\`\n`);
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'd.md']);
      expect(ran.stderr).toContain(`d.md:4:1: error: ${message}\n    4 | ${line}\n      | ^\n`);
      expect(ran.code).toBe(2);
    }
    expect(rig.exists('.shark/logs/1')).toBe(false);
  });
});

/** A document that cannot run leaves nothing behind, as one with an unbound input leaves nothing. */
describe('a local import or COPY source that does not exist', () => {
  const rig = new Rig();
  afterAll(() => rig.cleanup());
  rig.write('p.md', '# p\n\n```shark-import\nnope/ /data/n/\n```\n\n```shark-run\ncat /data/n/a > /data/b\n```\n');
  rig.write('e.md', '# e\n\n```shark-build:tools\nFROM debian:12\nCOPY gone.sh /opt/gone.sh\n```\n\n```shark-run:tools\necho hi > /data/b\n```\n');

  it('makes no store for plan or run, which refuse it (exit 2)', async () => {
    for (const [doc, line] of [['p.md', 'p.md:4:1: error: local import `nope/`'], ['e.md', 'e.md:5:6: error: COPY source `gone.sh`']] as const) {
      for (const command of ['plan', 'run']) {
        const ran = await rig.shark([command, doc]);
        expect([ran.code, ran.stderr], `${command} ${doc}`).toEqual([2, expect.stringContaining(line)]);
        expect(rig.exists('.shark'), `${command} ${doc}`).toBe(false);
      }
    }
  });
});
