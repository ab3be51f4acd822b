import { chmodSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import type { LineageNode } from '../../src/lineage/lineage.js';
import { objectPath } from '../lineage/fixture.js';
import { Rig } from '../support/rig.js';
import { CHROMIUM, describeBrowser, serve } from './serve-rig.js';

/** What a result page shows: its content id, producer line, preview text and lineage text; and its block's status on the document. */
interface Shown {
  readonly block: string;
  readonly id: string;
  readonly producer: string;
  readonly preview: string;
  readonly lineage: string;
}

describeBrowser('shark serve shows the version of a result that plan and lineage name', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const { launch } = await import('puppeteer-core');
    browser = await launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens `path`'s result page of `file` served from `rig` (with `args`) and reads what it shows, and the status of `block` on the document. */
  async function resultPage(rig: Rig, file: string, path: string, block: string, ...args: string[]): Promise<Shown> {
    const served = await serve(rig, file, ...args);
    try {
      const text = (sel: string): Promise<string> => page.$eval(sel, (e) => (e as HTMLElement).innerText);
      await page.goto(served.url + '/', { waitUntil: 'load' });
      const status = await text(`section[data-block="${block}"] .status`);
      await page.goto(served.url + path, { waitUntil: 'load' });
      return { block: status, id: await text('.content-id code'), producer: await text('.content-id + p'), preview: await text('section.preview'), lineage: await text('section.lineage') };
    } finally {
      await served.stop();
    }
  }

  it('after fsck --repair dropped the latest result, shows that result, marked dropped, not an older run\'s bytes', async () => {
    const rig = new Rig('shark-serve-dropped-');
    try {
      rig.write('p.md', '# R\n\n```shark-run\necho 1 > /data/one.txt\n```\n');
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      rig.write('p.md', '# R\n\n```shark-run\necho 2 > /data/one.txt\n```\n');
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      const latest = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/one.txt', '--json'])).stdout) as LineageNode;
      const id = latest.outputs['/data/one.txt']!;
      chmodSync(objectPath(rig, id), 0o644);
      writeFileSync(objectPath(rig, id), 'bad\n');
      expect((await rig.shark(['fsck', 'p.md', '--repair'])).code).toBe(0);
      const lineage = await rig.shark(['lineage', 'p.md', '/data/one.txt']);
      expect(lineage.stdout).toContain('dropped by `shark fsck --repair`');

      const shown = await resultPage(rig, 'p.md', '/data/one.txt', 'r');
      expect(shown.id).toBe(id);
      expect(shown.block).toContain('would run now: the previous result was dropped');
      expect(shown.producer).toBe('made by r in run 2');
      expect(shown.preview).not.toMatch(/^1$/m);
      expect(shown.preview).toContain('result dropped by shark fsck --repair');
      expect(shown.lineage).toContain('echo 2 > /data/one.txt');
      expect(shown.lineage).toContain('result dropped by shark fsck --repair');
    } finally {
      rig.cleanup();
    }
  }, 60_000);

  it('shows the result plan with the same options would reuse, not the latest run\'s made with other -e values', async () => {
    const rig = new Rig('shark-serve-plan-version-');
    try {
      rig.write('p.md', '---\nV: one\n---\n# R\n\n```shark-run {id=r}\necho $V > /data/v.txt\n```\n');
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      expect((await rig.shark(['run', 'p.md', '-e', 'V=two'])).code).toBe(0);
      /** The id of /data/v.txt in the plan with these options, which must say cached. */
      const planned = async (...args: string[]): Promise<string> => {
        const plan = JSON.parse((await rig.shark(['plan', 'p.md', '--json', ...args])).stdout) as { jobs: { status: string; outputs: Record<string, string> }[] };
        expect(plan.jobs.map((j) => j.status)).toEqual(['cached']);
        return plan.jobs[0]!.outputs['/data/v.txt']!;
      };

      const one = await resultPage(rig, 'p.md', '/data/v.txt', 'r');
      expect(one.id).toBe(await planned());
      expect(one.block).toBe('cached (made in run 1)');
      expect(one.producer).toBe('made by r in run 1');
      expect(one.preview).toContain('one');
      expect(one.lineage).toContain('echo $V > /data/v.txt');

      const two = await resultPage(rig, 'p.md', '/data/v.txt', 'r', '-e', 'V=two');
      expect(two.id).toBe(await planned('-e', 'V=two'));
      expect(two.block).toBe('ran in run 2');
      expect(two.producer).toBe('made by r in run 2');
      expect(two.preview).toContain('two');
    } finally {
      rig.cleanup();
    }
  }, 60_000);
});
