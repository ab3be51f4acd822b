import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

// JSON past what the page parses (4 MiB), JSON that does not parse, and JSON saved with a byte order mark.
const BIG = JSON.stringify(Array.from({ length: 250_000 }, (_, i) => ({ i, name: `item-${i}` })));
const BROKEN = `{"rows": [${'1, '.repeat(40_000)}`;

describe('shark serve previews text and JSON up to 64 KiB, whatever their size', () => {
  const rig = new Rig('shark-serve-preview-limits-');
  let served: Served;

  beforeAll(async () => {
    rig.write('in/big.json', BIG);
    rig.write('in/broken.json', BROKEN);
    rig.write('in/bom.json', '\uFEFF{"species":3}');
    rig.write('p.md', '# Limits\n\n```shark-import\nin /data/in/\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stderr).toBe(0);
    served = await serve(rig, 'p.md');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  const preview = async (path: string): Promise<string> => {
    const res = await fetch(served.url + path);
    expect(res.status, path).toBe(200);
    const shown = /<pre class="preview-text">([\s\S]*?)<\/pre>/.exec(await res.text())?.[1] ?? '';
    // As text, not as its escapes (each `"` is `&#34;`).
    return shown.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  };

  it('cuts a JSON file too large to parse to 64 KiB of text (it showed 4 MiB)', async () => {
    expect(BIG.length).toBeGreaterThan(4 * 1024 * 1024);
    const shown = await preview('/data/in/big.json');
    expect(shown.length).toBeLessThanOrEqual(64 * 1024 + 2);
    expect(shown).toMatch(/\n…$/);
  });

  it('cuts a JSON file that does not parse to 64 KiB of text (it showed all of it)', async () => {
    const shown = await preview('/data/in/broken.json');
    expect(shown.length).toBeLessThanOrEqual(64 * 1024 + 2);
    expect(shown).toMatch(/^\{"rows": \[1, 1, /);
    expect(shown).toMatch(/\n…$/);
  });

  it('pretty-prints JSON that starts with a byte order mark (it showed it as text)', async () => {
    expect(await preview('/data/in/bom.json')).toBe('{\n  "species": 3\n}');
  });
});
