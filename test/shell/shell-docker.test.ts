import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker } from '../docker/rig.js';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';
import { describeTmux, Pane } from './tmux.js';

const FILE = `# Greeting

\`\`\`shark-build:box
FROM ${BASE}
LABEL shark.test=shell-docker
\`\`\`

\`\`\`shark-run:box
echo hello > /data/hello.txt
\`\`\`
`;

describeDocker('shark shell in a container environment', () => {
  describeTmux('at a terminal', () => {
    let rig: Rig;
    let pane: Pane | undefined;
    beforeEach(() => {
      rig = new Rig('shark-shell-docker-');
      rig.write('greeting.md', FILE);
    });
    afterEach(() => {
      pane?.kill();
      pane = undefined;
      rig.cleanup();
    });

    it("starts from FILE's results, runs in its shark-build image, and saves a document whose every job is cached", async () => {
      expect((await rig.shark(['run', 'greeting.md'])).code).toBe(0);
      pane = new Pane(rig.dir, ['greeting.md', '--env', 'box']);
      await pane.start();
      expect(await pane.type('ls /data')).toBe('hello.txt\n[inspection: /data unchanged]');
      expect(await pane.type('tr a-z A-Z < /data/hello.txt > /data/upper.txt')).toContain('[step 1 [box]: wrote /data/upper.txt; read /data/hello.txt]');
      // A path Shark cannot see in the command: found by comparing /data, and declared in the document.
      expect(await pane.type(`sh -c 'cat /data/upper.txt /data/upper.txt > /data/twice.txt'`)).toContain('[step 2 [box]: wrote /data/twice.txt; writes /data/twice.txt without naming it (declared after `&& :`): its inputs may be incomplete]');
      expect(await pane.type('cat /data/nothing.txt > /data/x.txt')).toContain('[failed: exit status 1; its writes were discarded]');
      expect(await pane.type('echo draft > /data/draft.txt')).toContain('[step 3 [box]: wrote /data/draft.txt]');
      expect(await pane.type(':undo')).toContain('[undid step 3');
      expect(await pane.type('## Shouting')).toContain('[noted for the document]');
      expect(await pane.type(':env host')).toContain('[environment: host]');
      expect(await pane.type('wc -c < /data/twice.txt > /data/size.txt')).toContain('[step 4: wrote /data/size.txt; read /data/twice.txt]');
      expect(await pane.type(':save analysis.md')).toContain('saved analysis.md: 3 steps');

      expectGolden('shell/container-session.md', rig.read('analysis.md').replaceAll(BASE, 'BASE_IMAGE'));
      expect((await rig.shark(['check', 'analysis.md'])).code).toBe(0);
      const plan = await rig.plan('analysis.md');
      expect(plan.jobs.map((j) => j.status)).toEqual(['cached', 'cached', 'cached', 'cached']);
      const ran = await rig.shark(['run', 'analysis.md', '--json']);
      const end = JSON.parse(ran.stdout.trim().split('\n').pop()!) as { summary: { executed: number } };
      expect(end.summary.executed, ran.stdout).toBe(0);
      expect(rig.read('_shark/size.txt')).toBe('12\n');
    });

    it('builds an environment no step of FILE runs in only when :env takes it: one that fails to build leaves the shell usable', async () => {
      rig.write('bad.md', `# Bad\n\n\`\`\`shark-build:broken\nFROM ${BASE}\nLABEL shark.test=shell-docker\nRUN false\n\`\`\`\n\n\`\`\`shark-run\necho a > /data/a.txt\n\`\`\`\n`);
      expect((await rig.shark(['run', 'bad.md'])).code).toBe(0);
      pane = new Pane(rig.dir, ['bad.md']);
      await pane.start();
      expect(await pane.type('cat /data/a.txt')).toContain('[inspection: /data unchanged]');
      expect(await pane.type(':env broken')).toContain('environment broken: building environment broken failed');
      expect(await pane.type('echo b > /data/b.txt')).toContain('[step 1: wrote /data/b.txt]');
    });

    it('gives an image that runs as another user the directories it writes in, as run does (a new directory of /data was refused to it)', async () => {
      rig.write('user.md', `# As a user\n\n\`\`\`shark-build:someone\nFROM ${BASE}\nLABEL shark.test=shell-docker\nUSER 1234:1234\n\`\`\`\n\n\`\`\`shark-run\necho base > /data/base.txt\n\`\`\`\n`);
      expect((await rig.shark(['run', 'user.md'])).code).toBe(0);
      pane = new Pane(rig.dir, ['user.md', '--env', 'someone']);
      await pane.start();
      expect(await pane.type('echo hi > /data/sub/hi.txt')).toContain('[step 1 [someone]: wrote /data/sub/hi.txt]');
      expect(await pane.type('mkdir -p /data/u/s && echo y > /data/u/s/f')).toContain('[step 2 [someone]: wrote /data/u/s]');
    });
  });
});
