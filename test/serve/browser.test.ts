import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { Rig } from '../support/rig.js';
import { CHROMIUM, copyExample, describeBrowser, screenshotDir, serve, type Served } from './serve-rig.js';

describeBrowser('shark serve in a real browser', () => {
  const rig = new Rig('shark-serve-browser-');
  let served: Served;
  let browser: Browser;
  let page: Page;
  const shots = screenshotDir();
  const errors: string[] = [];

  beforeAll(async () => {
    const { launch } = await import('puppeteer-core');
    copyExample(rig);
    // Served before the pipeline has ever run: every block would run.
    served = await serve(rig, 'example.md');
    browser = await launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    // A violated Content-Security-Policy or a script error shows up here.
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rig.cleanup();
  });

  it('shows every block with its status, and the DAG with a node per block linking to it', async () => {
    await page.goto(served.url + '/', { waitUntil: 'load' });
    await page.waitForSelector('svg.dag');
    const statuses = await page.$$eval('section.shark-block[data-block]', (els) => els.map((e) => [e.getAttribute('data-block'), e.getAttribute('data-status'), e.querySelector('.status')?.textContent ?? '']));
    expect(statuses.map(([b, s]) => [b, s])).toEqual([['inputs', 'would-run'], ['habitat-per-species', 'would-run'], ['summary', 'would-run'], ['results', 'publish']]);
    expect(statuses[0]![2]).toContain('never run');
    const nodes = await page.$$eval('svg.dag a.dag-block', (els) => els.map((e) => [e.getAttribute('data-block'), e.getAttribute('href')]));
    expect(nodes).toContainEqual(['summary', '#block-summary']);
    expect(await page.$$eval('svg.dag a.dag-file', (els) => els.map((e) => e.getAttribute('href')))).toContain('/data/summary.csv');
    await page.screenshot({ path: join(shots, 'document-before-run.png'), fullPage: true });
  });

  it('updates block statuses in place while a run of the document happens in another process', async () => {
    await page.goto(served.url + '/', { waitUntil: 'load' });
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const ran = await rig.shark(['run', 'example.md']);
    expect(ran.code, ran.stderr).toBe(0);
    await page.waitForSelector('section[data-block="summary"][data-status="ran"]', { timeout: 20_000 });
    expect(await page.$eval('section[data-block="summary"] .status', (e) => e.textContent)).toBe('ran in run 1');
    expect(await page.$eval('section[data-block="habitat-per-species"] .status', (e) => e.textContent)).toContain('ran in run 1 (3/3 jobs)');
    expect(await page.$eval('svg.dag a[data-block="summary"]', (e) => e.getAttribute('data-status'))).toBe('ran');
    expect(await page.$eval('#run-banner', (e) => e.textContent)).toContain('run 1');
    // The page was updated, not reloaded.
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await page.screenshot({ path: join(shots, 'document-after-run.png'), fullPage: true });
  });

  it('opens a map block\'s jobs, then clicks through to a result, its CSV preview and its lineage', async () => {
    await page.goto(served.url + '/', { waitUntil: 'load' });
    await page.click('section[data-block="habitat-per-species"] details.jobs summary');
    const items = await page.$$eval('section[data-block="habitat-per-species"] .job-table tbody tr td:first-child', (els) => els.map((e) => e.textContent));
    expect(items).toEqual(['dormouse.csv', 'ptarmigan.csv', 'puffin.csv']);
    expect(await page.$eval('section[data-block="summary"] a.log', (e) => e.getAttribute('href'))).toBe('/log/1/summary');
    // The screenshot for the README: the executed document with its graph.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, 'document.png'), fullPage: false });
    await Promise.all([page.waitForNavigation(), page.click('section[data-block="summary"] a.output')]);
    expect(new URL(page.url()).pathname).toBe('/data/summary.csv');
    // Once failed in CI with no table at all: what the page said instead is shown, to tell why next time.
    const said = await page.$eval('main', (e) => e.textContent ?? '').catch(() => '');
    expect(await page.$('table.preview-table td'), said.slice(0, 2000)).not.toBeNull();
    const cells = await page.$$eval('table.preview-table td', (els) => els.map((e) => e.textContent));
    expect(cells).toEqual(['ptarmigan', '4', 'puffin', '0']);
    expect(await page.$eval('.table-meta', (e) => e.textContent)).toContain('2 columns');
    expect(await page.$eval('.content-id code', (e) => e.textContent)).toMatch(/^sha256:[0-9a-f]{64}$/);
    const jobs = await page.$$eval('.lineage-tree a.job', (els) => els.map((e) => e.textContent));
    expect(jobs).toEqual(expect.arrayContaining(['summary', 'habitat-per-species[puffin.csv]', 'inputs.1', 'inputs.2']));
    await page.screenshot({ path: join(shots, 'result.png'), fullPage: true });
    // An ancestor, one click away.
    await Promise.all([page.waitForNavigation(), page.click('.lineage-input a[href="/data/species/puffin.csv"]')]);
    expect(await page.$eval('.content-id code', (e) => e.textContent)).toMatch(/^sha256:/);
    expect(await page.$eval('table.preview-table th', (e) => e.textContent)).not.toBe('');
    await Promise.all([page.waitForNavigation(), page.click('p a[href="/#block-inputs"]')]);
    expect(await page.$eval('section[data-block="inputs"]', (e) => e.getAttribute('data-status'))).toBe('ran');
    expect(errors).toEqual([]);
  });

  it('shows a map block\'s progress, job by job, while the run is in progress', async () => {
    const slow = new Rig('shark-serve-slow-');
    let other: Served | undefined;
    try {
      for (const name of ['a', 'b', 'c']) slow.write(`in/${name}.txt`, `${name}\n`);
      // Each job takes a second, one at a time: long enough to be seen between polls.
      slow.write('slow.md', '# Slow\n\n```shark-import\nin /data/in/\n```\n\n```shark-run\nsleep 1; cat /data/in/*.txt > /data/out/+\n```\n');
      other = await serve(slow, 'slow.md');
      await page.goto(other.url + '/', { waitUntil: 'load' });
      expect(await page.$eval('section[data-block="slow-2"]', (e) => e.getAttribute('data-status'))).toBe('would-run');
      const run = slow.shark(['run', 'slow.md', '-j', '1']);
      await page.waitForSelector('section[data-block="slow-2"][data-status="running"]', { timeout: 20_000 });
      await page.waitForFunction(() => /running in run 1: [12]\/3 jobs done/.test(document.querySelector('section[data-block="slow-2"] .status')?.textContent ?? ''), { timeout: 20_000 });
      expect(await page.$eval('#run-banner', (e) => e.textContent)).toMatch(/run 1 in progress: \d\/4 jobs done/);
      await page.screenshot({ path: join(shots, 'document-during-run.png'), fullPage: true });
      expect((await run).code).toBe(0);
      await page.waitForSelector('section[data-block="slow-2"][data-status="ran"]', { timeout: 20_000 });
      expect(await page.$eval('section[data-block="slow-2"] .status', (e) => e.textContent)).toBe('ran in run 1 (3/3 jobs)');
    } finally {
      await other?.stop();
      slow.cleanup();
    }
  });

  it('shows a map over what an earlier map of the run writes as not done, and counts its jobs once the run knows them', async () => {
    const later = new Rig('shark-serve-later-');
    let other: Served | undefined;
    try {
      for (const name of ['a', 'b', 'c']) later.write(`in/${name}.txt`, `${name}\n`);
      later.write('later.md', '# Later\n\n```shark-import\nin /data/in/\n```\n\n```shark-run {id=first}\nsleep 1; cat /data/in/* > /data/a/+\n```\n\n```shark-run {id=second}\nsleep 1; cat /data/a/* > /data/b/+\n```\n');
      other = await serve(later, 'later.md');
      // The page of the test before lost its server, and its update stream with it: errors of that page, not of this one.
      errors.length = 0;
      await page.goto(other.url + '/', { waitUntil: 'load' });
      const run = later.shark(['run', 'later.md', '-j', '1']);
      const text = (selector: string): Promise<string> => page.$eval(selector, (e) => e.textContent ?? '');
      // While the first map runs, the second's items are not known: neither it nor the run is said to be done.
      await page.waitForSelector('section[data-block="first"][data-status="running"]', { timeout: 20_000 });
      expect(await text('section[data-block="second"] .status')).toBe('waiting in run 1: its jobs are known once its inputs are made');
      expect(await text('#run-banner')).toMatch(/^run 1 in progress: \d+ jobs? done of 4 known so far$/);
      // Between its jobs, the second map is running or waiting, never ran, and the run counts all 7 jobs.
      await page.waitForFunction(() => /: 1\/3 jobs done$/.test(document.querySelector('section[data-block="second"] .status')?.textContent ?? ''), { timeout: 20_000 });
      expect(await page.$eval('section[data-block="second"]', (e) => e.getAttribute('data-status'))).toMatch(/^(running|waiting)$/);
      expect(await page.$eval('svg.dag a[data-block="second"]', (e) => e.getAttribute('data-status'))).toMatch(/^(running|waiting)$/);
      expect(await text('#run-banner')).toMatch(/^run 1 in progress: [5-6]\/7 jobs done$/);
      await page.screenshot({ path: join(shots, 'document-map-of-map-during-run.png'), fullPage: true });
      expect((await run).code).toBe(0);
      await page.waitForSelector('section[data-block="second"][data-status="ran"]', { timeout: 20_000 });
      expect(await text('section[data-block="second"] .status')).toBe('ran in run 1 (3/3 jobs)');
      expect(errors).toEqual([]);
    } finally {
      await other?.stop();
      later.cleanup();
    }
  });
});
