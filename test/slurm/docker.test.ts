import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ROOT, Rig } from '../support/rig.js';
import { BASE, describeDocker } from '../docker/rig.js';
import { describeSlurm } from './rig.js';
import { jobcompLines, outputsOf } from './run-rig.js';

/** Container steps under Slurm: the node runs them in containers of the environments' images, as a local run does. */
describeSlurm('shark run --executor slurm with container environments', () => {
  describeDocker('on a node with Docker', () => {
    let local: Rig;
    let rig: Rig;
    beforeEach(() => {
      local = new Rig('shark-slurm-docker-local-');
      rig = new Rig('shark-slurm-docker-');
      for (const r of [local, rig]) {
        mkdirSync(r.path('scripts'));
        copyFileSync(join(ROOT, 'pipelines/scripts/count-words.sh'), r.path('scripts/count-words.sh'));
        writeFileSync(r.path('two-envs.md'), readFileSync(join(ROOT, 'pipelines/two-envs.md'), 'utf8').replaceAll('shark-test/busybox:latest', BASE));
      }
    });
    afterEach(() => {
      local.cleanup();
      rig.cleanup();
    });

    it('runs the two-environment example with the results of a local run', async () => {
      expect((await local.shark(['run', 'two-envs.md'], { timeoutMs: 120_000 })).code).toBe(0);
      const ran = await rig.shark(['run', 'two-envs.md', '--executor', 'slurm'], { env: { SHARK_SLURM_POLL_MS: '250' }, timeoutMs: 120_000 });
      expect(ran.code, ran.stdout + ran.stderr).toBe(0);
      // The same keys (the same image ids) and the same bytes.
      expect(await outputsOf(rig, 'two-envs.md')).toEqual(await outputsOf(local, 'two-envs.md'));
      expect(rig.read('_shark/report.md')).toContain('# Word report');
      expect(jobcompLines(rig.dir).filter((l) => / Name=shark:two-envs:\S+ JobState=COMPLETED /.test(l))).toHaveLength(4);
    }, 150_000);

    it('names the environment and its line when the image cannot run a step, in the log once (it said `this environment`, twice)', async () => {
      rig.write('u.md', `# U\n\n\`\`\`shark-build:ghost\nFROM ${BASE}\nUSER ghost\n\`\`\`\n\n\`\`\`shark-run:ghost\nid > /data/id.txt\n\`\`\`\n`);
      const ran = await rig.shark(['run', 'u.md', '--executor', 'slurm', '--json'], { env: { SHARK_SLURM_POLL_MS: '250' }, timeoutMs: 120_000 });
      expect(ran.code).toBe(1);
      const failed = ran.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { message: string; log: string });
      const said = 'environment ghost (u.md:3:1): its USER ghost does not exist in the image';
      expect(failed.map((f) => f.message)).toEqual([expect.stringContaining(said)]);
      expect(readFileSync(failed[0]!.log, 'utf8').split(said).length - 1).toBe(1);
    }, 150_000);
  });
});
