import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

const DOC = '# E\n\n```shark-run {id=one}\necho 1 > /data/one.txt\n```\n';

/** The state the page's script is sent first on `/events`. */
async function firstState(url: string): Promise<{ note?: string; run?: { status: string; label: string } }> {
  const controller = new AbortController();
  const res = await fetch(`${url}/events`, { signal: controller.signal });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  return JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as { note?: string };
}

describe('a document edited while its page is served', () => {
  const rig = new Rig('shark-serve-edited-');
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('says the page shows the document as it was when it started (it silently showed a run of the edit as one to come)', async () => {
    rig.write('p.md', DOC);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    served = await serve(rig, 'p.md');
    const said = 'p.md changed since this page started';
    expect(await (await fetch(`${served.url}/`)).text()).not.toContain(said);

    rig.write('p.md', DOC.replace('echo 1', 'echo 2'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    await new Promise((done) => setTimeout(done, 1500));
    const html = await (await fetch(`${served.url}/`)).text();
    expect(html).toContain(said);
    expect(html).toContain('restart shark serve');
    const state = await firstState(served.url);
    expect(state.note).toContain(said);
    // The run of the edit ended: its label says so, not `in progress` (and that the document changed, not only options).
    expect(state.run).toMatchObject({ status: 'ok', label: "run 2 ended, with other options or another text of the document than this page's" });

    // Written back as it was: nothing to say.
    rig.write('p.md', DOC);
    await new Promise((done) => setTimeout(done, 1500));
    expect(await (await fetch(`${served.url}/`)).text()).not.toContain(said);
  }, 60_000);
});
