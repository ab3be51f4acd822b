import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

/** A page's text as a reader sees it: tags dropped, entities of the escaping undone. */
function text(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

describe('the lineage on a result page', () => {
  const rig = new Rig('shark-serve-lineage-');
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('tells what `shark lineage` tells of each job: its values, its import source, its output ids, the files it uses, the run that made it', async () => {
    rig.write('in/a.txt', 'a\n');
    rig.write('count.sh', 'wc -l < "$1" > "$2"\n');
    rig.write('p.md', '---\nV: "two words"\n---\n# L\n\n```shark-import {id=get}\nin /data/in/\n```\n\n```shark-run {id=count}\nsh count.sh /data/in/a.txt /data/n.txt\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stderr).toBe(0);
    const cli = (await rig.shark(['lineage', 'p.md', '/data/n.txt'])).stdout;
    served = await serve(rig, 'p.md');
    const html = await (await fetch(`${served.url}/data/n.txt`)).text();
    const lineage = text(html.slice(html.indexOf('<section class="lineage">'), html.indexOf('<section class="signatures">')));
    // Each line `shark lineage` prints of a job, but those the page says in its own way (the job's heading, the command).
    const lines = cli.split('\n').map((l) => l.trim()).filter((l) => /^(with|source:|uses|made by|→|←)/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) expect(lineage.replace(/\s+/g, ' '), line).toContain(line.replace(/\s+/g, ' '));
  }, 60_000);
});

describe('the lineage of a directory a failed run left part-written', () => {
  const rig = new Rig('shark-serve-unfinished-');
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('says, as `shark lineage` does, that it holds only what the jobs that ended ok wrote', async () => {
    rig.write('in/a.txt', 'a\n');
    rig.write('in/b.txt', 'b\n');
    rig.write('p.md', '# U\n\n```shark-import\nin /data/in/\n```\n\n```shark-run {id=copy}\ngrep -q b /data/in/* && exit 3; cp /data/in/* /data/out/+\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(1);
    const cli = (await rig.shark(['lineage', 'p.md', '/data/out/'])).stdout;
    const note = /note: (.*)/.exec(cli)![1]!;
    expect(note).toContain('did not finish copy');
    served = await serve(rig, 'p.md');
    expect(text(await (await fetch(`${served.url}/data/out/`)).text())).toContain(`note: ${note}`);
  }, 60_000);
});
