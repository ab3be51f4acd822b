import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { editStoreDatabase } from '../lineage/fixture.js';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001149444154789c63f8cfc0c0f01f8c8018001df003fdd3d07d260000000049454e44ae426082', 'hex');
const GEOJSON = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { name: 'island' }, geometry: { type: 'Polygon', coordinates: [[[-3, 50], [-2, 50], [-2, 51], [-3, 50]]] } },
    { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [-2.5, 50.5] } },
  ],
});

describe('shark serve previews each kind of result, and shows signatures', () => {
  const rig = new Rig('shark-serve-previews-');
  let served: Served;

  beforeAll(async () => {
    writeFileSync(rig.write('in/plot.png', ''), PNG);
    rig.write('in/range.geojson', GEOJSON);
    rig.write('in/meta.json', '{"species":3,"ok":true}');
    rig.write('in/table.tsv', 'name\tcount\nowl\t"2"\n');
    rig.write('in/notes.txt', 'plain <b>text</b>\n');
    writeFileSync(rig.write('in/blob.bin', ''), Buffer.from([0, 1, 2, 3, 255]));
    // UTF-8 beyond ASCII, ending in a character of two bytes; a CSV saved with a byte order mark; a header past what is read.
    rig.write('in/utf.txt', 'line\n'.repeat(50) + 'température 12 °C\n');
    rig.write('in/places.csv', '\uFEFFplace,temp\nZürich,12 °C\n');
    rig.write('in/wide.csv', `${Array.from({ length: 8000 }, (_, i) => `gene_${String(i).padStart(5, '0')}`).join(',')}\n1,2\n`);
    rig.write('p.md', '# Kinds\n\n```shark-import\nin /data/in/\n```\n\n```shark-run\ncp /data/in/table.tsv /data/copy.tsv\n```\n');
    expect((await rig.shark(['keygen', '-o', 'lab'])).code).toBe(0);
    const ran = await rig.shark(['run', 'p.md', '--sign', 'lab.key']);
    expect(ran.code, ran.stderr).toBe(0);
    served = await serve(rig, 'p.md', '--trust', 'lab.pub');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  const get = async (path: string): Promise<string> => {
    const res = await fetch(served.url + path);
    expect(res.status, path).toBe(200);
    return res.text();
  };

  it('previews UTF-8 text and tables beyond ASCII (one `°` made a file binary), without a byte order mark', async () => {
    expect(await get('/data/in/utf.txt')).toContain('température 12 °C');
    const table = await get('/data/in/places.csv');
    expect(table).toContain('<th>place</th><th>temp</th>');
    expect(table).toContain('<td>Zürich</td><td>12 °C</td>');
  });

  it('downloads under the name the pipeline has, beyond ASCII too (RFC 6266 filename*; `été.csv` was saved as `_t_.csv`)', async () => {
    const html = await get('/data/in/places.csv');
    const href = /href="([^"]*download=1[^"]*)"/.exec(html)![1]!.replace(/&#38;/g, '&');
    const res = await fetch(served.url + href.replace('name=places.csv', `name=${encodeURIComponent('été (1).csv')}`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="_t___1_.csv"; filename*=UTF-8''%C3%A9t%C3%A9%20%281%29.csv`);
  });

  it('says a header longer than a preview reads is so, not an empty table', async () => {
    const html = await get('/data/in/wide.csv');
    expect(html).toContain('its first line is longer than the 64');
    expect(html).not.toContain('empty');
  });

  it('lists a directory with links to its files', async () => {
    const html = await get('/data/in');
    for (const name of ['blob.bin', 'meta.json', 'notes.txt', 'plot.png', 'range.geojson', 'table.tsv']) expect(html).toContain(`href="/data/in/${name}"`);
  });

  it('shows an image, and serves its bytes as an image', async () => {
    const html = await get('/data/in/plot.png');
    const src = /<img class="preview-image" src="([^"]+)"/.exec(html)![1]!.replace(/&#38;/g, '&');
    const res = await fetch(served.url + src);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('draws GeoJSON as an SVG outline, without map tiles', async () => {
    const html = await get('/data/in/range.geojson');
    expect(html).toMatch(/<svg class="geojson"[^>]*aria-label="2 shapes, longitude -3…-2, latitude 50…51"/);
    expect(html).toMatch(/<path class="geo-polygon" d="M[\d., L]+ Z"\/>/);
    expect(html).toContain('<circle class="geo-point"');
  });

  it('pretty-prints JSON, shows text as text, a TSV as a table, and other files as a size and a download link', async () => {
    expect(await get('/data/in/meta.json')).toContain('{\n  &#34;species&#34;: 3,\n  &#34;ok&#34;: true\n}');
    expect(await get('/data/in/notes.txt')).toContain('plain &#60;b&#62;text&#60;/b&#62;');
    const tsv = await get('/data/copy.tsv');
    expect(tsv).toContain('<th>name</th><th>count</th>');
    expect(tsv).toContain('<td>&#34;2&#34;</td>');
    const blob = await get('/data/in/blob.bin');
    expect(blob).toContain('5 B');
    expect(blob).toMatch(/download="blob.bin">download<\/a>/);
    expect(blob).not.toContain('preview-text');
  });

  it('names the key that signed each job and says the signatures verify against the trusted key', async () => {
    const html = await get('/data/copy.tsv');
    expect(html).toMatch(/<span class="job">kinds-2<\/span>: sha256:[0-9a-f]{64}/);
    expect(html).toMatch(/<p class="verified">verified: 2 envelopes against sha256:[0-9a-f]{64}/);
  });

  it('says the signatures do not verify when no trusted key made them', async () => {
    expect((await rig.shark(['keygen', '-o', 'stranger'])).code).toBe(0);
    const other = await serve(rig, 'p.md', '--trust', 'stranger.pub');
    try {
      const html = await (await fetch(other.url + '/data/copy.tsv')).text();
      expect(html).toContain('<p class="unverified">does not verify:</p>');
      expect(html).toContain('kinds-2: no trusted key signed its envelope');
    } finally {
      await other.stop();
    }
  });

  it('says a signature record edited into no envelope is damaged, not "no signatures" (it said no signatures)', async () => {
    editStoreDatabase(rig, "CREATE TABLE IF NOT EXISTS kept AS SELECT key, envelope FROM attestations WHERE job = 'kinds-2'");
    editStoreDatabase(rig, "UPDATE attestations SET envelope = '{not json' WHERE job = 'kinds-2'");
    try {
      for (const args of [[], ['--trust', 'lab.pub']]) {
        const other = await serve(rig, 'p.md', ...args);
        try {
          const html = await (await fetch(other.url + '/data/copy.tsv')).text();
          expect(html, args.join(' ')).toContain('<span class="job">kinds-2</span>: its stored envelope is damaged: it is not JSON');
          expect(html, args.join(' ')).not.toContain('no signatures');
        } finally {
          await other.stop();
        }
      }
    } finally {
      editStoreDatabase(rig, "UPDATE attestations SET envelope = (SELECT envelope FROM kept) WHERE job = 'kinds-2'");
    }
  });
});

describe('shark serve of a document whose frontmatter input is a directory', () => {
  const rig = new Rig('shark-serve-input-dir-');
  let served: Served;

  beforeAll(async () => {
    rig.write('hd/one.txt', 'first\n');
    rig.write('p.md', '---\ninputs:\n  dir: /data/srcdir/\n---\n# A\n\n```shark-run\ncd /data/srcdir/ && cat * > /data/out.txt\n```\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'dir=hd'])).code).toBe(0);
    served = await serve(rig, 'p.md', '-i', 'dir=hd');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it("has a page for each file its listing links to (they were `not a result of this document`)", async () => {
    const listing = await (await fetch(served.url + '/data/srcdir/')).text();
    expect(listing).toContain('href="/data/srcdir/one.txt"');
    const file = await fetch(served.url + '/data/srcdir/one.txt');
    expect(file.status).toBe(200);
    expect(await file.text()).toContain('first');
  });
});
