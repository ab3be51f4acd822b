import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

describe('a job log on the page', () => {
  const rig = new Rig('shark-serve-log-');
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('has no escape sequences (a browser showed them as stray characters), as shark logs gives it to a file', async () => {
    rig.write('c.md', "# Colour\n\n```shark-run {id=red}\nprintf '\\033[31mred\\033[0m\\n'; echo x > /data/x.txt\n```\n");
    expect((await rig.shark(['run', 'c.md'])).code).toBe(0);
    served = await serve(rig, 'c.md');
    const html = await (await fetch(`${served.url}/log/1/red`)).text();
    expect(html).toContain('<pre class="log-text">red\n</pre>');
    expect(html).not.toContain('\x1b');
  });

  it('shows a control character in a name or a log as the command line does (`\\x1b`), not drawn raw', async () => {
    rig.write('n.md', "# Names\n\n```shark-run {id=bell}\nprintf 'ding\\007\\n'; mkdir -p /data/d && echo x > \"/data/d/red$(printf '\\033')x.txt\"\n```\n");
    expect((await rig.shark(['run', 'n.md'])).code).toBe(0);
    const other = await serve(rig, 'n.md');
    try {
      const doc = await (await fetch(`${other.url}/`)).text();
      const log = await (await fetch(other.url + /href="(\/log\/\d+\/bell)"/.exec(doc)![1]!)).text();
      expect(log).toContain('ding\\x07');
      expect(log).not.toContain('\x07');
      const dir = await (await fetch(`${other.url}/data/d/`)).text();
      expect(dir).toContain('red\\x1bx.txt');
      expect(dir).not.toContain('\x1b');
    } finally {
      await other.stop();
    }
  });

  it('says how a failed job ended as its block does (`exit status 3`, not the bare `exit`)', async () => {
    rig.write('f.md', '# Fails\n\n```shark-run {id=bad}\necho oops; exit 3; echo x > /data/x.txt\n```\n');
    expect((await rig.shark(['run', 'f.md'])).code).toBe(1);
    const other = await serve(rig, 'f.md');
    try {
      const doc = await (await fetch(`${other.url}/`)).text();
      const html = await (await fetch(other.url + /href="(\/log\/\d+\/bad)"/.exec(doc)![1]!)).text();
      expect(html).toContain('<p class="k">failed (exit status 3) · line 4</p>');
      expect(html).toContain('oops');
    } finally {
      await other.stop();
    }
  });
});
