import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTree } from '../imports/helpers.js';
import { Rig } from '../support/rig.js';

/** `shark plan --script` run for real, with /data moved to a scratch directory. */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-hand-script-')));
afterEach(() => rig.cleanup());

/** The script with /data moved into the rig, written beside the document and run there. */
function runScript(script: string): void {
  const data = rig.path('data');
  rig.write('hand.sh', script.replaceAll('/data/', `${data}/`).replaceAll("'/data'", `'${data}'`));
  execFileSync('sh', ['hand.sh'], { cwd: rig.dir });
}

describe('local imports in the hand script', () => {
  it('copy a directory\'s contents into DEST, with or without a trailing slash, run once or twice', async () => {
    rig.write('in/a.txt', '1\n');
    rig.write('in/sub/b.txt', '2\n');
    rig.write('h.txt', 'hello\n');
    rig.write('s.md', [
      '```shark-import',
      'in/ /data/in/',
      'in /data/bare',
      'file:in/ /data/named',
      'h.txt /data/h.txt',
      '```',
      '',
      '```shark-run',
      'cat /data/in/a.txt /data/in/sub/b.txt /data/bare/sub/b.txt /data/named/a.txt /data/h.txt > /data/out.txt',
      '```',
      '',
    ].join('\n'));
    const script = await rig.shark(['plan', 's.md', '--script']);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain("cp -RP 'in/.' '/data/in'");
    const tree = { 'a.txt': '1\n', 'sub/b.txt': '2\n' };
    for (let n = 0; n < 2; n++) {
      runScript(script.stdout);
      expect(readTree(rig.path('data/in'))).toEqual(tree);
      expect(readTree(rig.path('data/bare'))).toEqual(tree);
      expect(readTree(rig.path('data/named'))).toEqual(tree);
      expect(rig.read('data/h.txt')).toBe('hello\n');
      expect(rig.read('data/out.txt')).toBe('1\n2\n2\n1\nhello\n');
    }
  });
});

/** A tarball or zip of `a.txt` and `sub/b.txt`, made with the system tools in the rig. */
describe('a local import\'s links in the hand script', () => {
  it('copies a link leading out of the directory as what it leads to, as run imports it', async () => {
    rig.write('drive/big.csv', 'far\n');
    rig.write('in/a.txt', '1\n');
    symlinkSync('../drive/big.csv', rig.path('in/big.csv'));
    rig.write('s.md', ['```shark-import', 'in/ /data/in/', '```', '', '```shark-run', 'cat /data/in/big.csv > /data/out.txt', '```', ''].join('\n'));
    const script = await rig.shark(['plan', 's.md', '--script']);
    runScript(script.stdout);
    expect(readFileSync(rig.path('data/out.txt'), 'utf8')).toBe('far\n');
    expect(lstatSync(rig.path('data/in/big.csv')).isSymbolicLink()).toBe(false);
    const run = await rig.shark(['run', 's.md', '-o', 'ran.md']);
    expect(run.code).toBe(0);
  });

  it('keeps a link that stays inside the directory a link, one round a loop among them, as run does', async () => {
    rig.write('drive/big.csv', 'far\n');
    rig.write('in/a.txt', '1\n');
    symlinkSync('../drive/big.csv', rig.path('in/big.csv'));
    symlinkSync('a.txt', rig.path('in/alias.txt'));
    mkdirSync(rig.path('in/sub'));
    symlinkSync('..', rig.path('in/sub/up'));
    rig.write('s.md', ['```shark-import', 'in/ /data/in/', '```', '', '```shark-run', 'cd /data/in/ && cat big.csv alias.txt sub/up/a.txt > /data/out.txt', '```', ''].join('\n'));
    expect((await rig.shark(['run', 's.md'])).code).toBe(0);
    const script = await rig.shark(['plan', 's.md', '--script']);
    runScript(script.stdout);
    expect(readFileSync(rig.path('data/out.txt'), 'utf8')).toBe('far\n1\n1\n');
    expect(lstatSync(rig.path('data/in/big.csv')).isSymbolicLink()).toBe(false);
    expect(readlinkSync(rig.path('data/in/alias.txt'))).toBe('a.txt');
    expect(readlinkSync(rig.path('data/in/sub/up'))).toBe('..');
  });

  it('copies a bound input\'s link leading out of its directory the same way', async () => {
    rig.write('drive/big.csv', 'far\n');
    rig.write('in/a.txt', '1\n');
    symlinkSync('../drive/big.csv', rig.path('in/big.csv'));
    rig.write('s.md', ['---', 'inputs:', '  d: /data/in/', '---', '', '```shark-run', 'cat /data/in/big.csv > /data/out.txt', '```', ''].join('\n'));
    const script = await rig.shark(['plan', 's.md', '--script', '-i', 'd=in']);
    expect(script.stdout).toContain(`cp -RP '${rig.path('in')}/.' '/data/in'`);
    runScript(script.stdout);
    expect(readFileSync(rig.path('data/out.txt'), 'utf8')).toBe('far\n');
    expect(lstatSync(rig.path('data/in/big.csv')).isSymbolicLink()).toBe(false);
  });
});

function archive(name: string): void {
  rig.write('src/a.txt', '1\n');
  rig.write('src/sub/b.txt', '2\n');
  const cmd = name.endsWith('.zip') ? ['zip', ['-qr', `../${name}`, '.']] as const : ['tar', ['-czf', `../${name}`, '.']] as const;
  execFileSync(cmd[0], [...cmd[1]], { cwd: rig.path('src') });
}

const hasUnzip = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v unzip && command -v zip']);
    return true;
  } catch {
    return false;
  }
})();

describe('extract, checksums and directory destinations in the hand script', () => {
  it('unpacks a local .tar.gz into DEST, run once or twice', async () => {
    archive('atlas.tar.gz');
    rig.write('s.md', '```shark-import\natlas.tar.gz /data/atlas/ extract\n```\n');
    const script = await rig.shark(['plan', 's.md', '--script']);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain("tar -xf 'atlas.tar.gz' -C '/data/atlas'");
    for (let n = 0; n < 2; n++) {
      runScript(script.stdout);
      expect(readTree(rig.path('data/atlas'))).toEqual({ 'a.txt': '1\n', 'sub/b.txt': '2\n' });
    }
  });

  it('unpacks a local .zip into DEST with unzip', async () => {
    rig.write('s.md', '```shark-import\nranges.zip /data/ranges/ extract\n```\n');
    if (hasUnzip) archive('ranges.zip');
    const script = await rig.shark(['plan', 's.md', '--script']);
    expect(script.stdout).toContain("unzip -q -o -d '/data/ranges' 'ranges.zip'");
    if (!hasUnzip) return;
    for (let n = 0; n < 2; n++) {
      runScript(script.stdout);
      expect(readTree(rig.path('data/ranges'))).toEqual({ 'a.txt': '1\n', 'sub/b.txt': '2\n' });
    }
  });

  it('downloads into DEST/NAME, unpacking an archive from a temporary file', async () => {
    rig.write('s.md', [
      '```shark-import',
      'zenodo:1234567/ranges.zip /data/ranges/ extract',
      'https://example.org/files/counts.csv /data/raw/',
      '```',
      '',
    ].join('\n'));
    const script = await rig.shark(['plan', 's.md', '--script']);
    expect(script.stdout).toContain(`curl -fL -o "$archive" 'https://zenodo.org/records/1234567/files/ranges.zip?download=1'`);
    expect(script.stdout).toContain(`unzip -q -o -d '/data/ranges' "$archive"`);
    expect(script.stdout).toContain(`curl -fL -o '/data/raw/counts.csv.part' 'https://example.org/files/counts.csv'`);
    expect(script.stdout).toContain(`mv '/data/raw/counts.csv.part' '/data/raw/counts.csv'`);
  });

  it('downloads into DEST/ under the name a run pinned from the server (Content-Disposition), which the steps reading it name', async () => {
    rig.write('s.md', '```shark-import\nhttps://example.org/get/ /data/dl/\n```\n\n```shark-run\ncat /data/dl/x.txt > /data/out.txt\n```\n');
    rig.write('s.lock.json', JSON.stringify({ version: 1, environments: {}, imports: {
      'https://example.org/get/ /data/dl': { source: 'url', url: 'https://example.org/get/', sha256: 'a'.repeat(64), name: 'x.txt' },
    } }));
    const script = await rig.shark(['plan', 's.md', '--script']);
    expect(script.stdout).toContain(`curl -fL -o '/data/dl/x.txt.part' 'https://example.org/get/'`);
    expect(script.stdout).toContain(`mv '/data/dl/x.txt.part' '/data/dl/x.txt'`);
  });

  it('verifies a checksum column and fails on a mismatch before copying', async () => {
    rig.write('h.txt', 'hello\n');
    const good = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03';
    rig.write('s.md', `\`\`\`shark-import\nh.txt /data/h.txt sha256:${good}\n\`\`\`\n`);
    runScript((await rig.shark(['plan', 's.md', '--script'])).stdout);
    expect(rig.read('data/h.txt')).toBe('hello\n');
    rig.write('s.md', `\`\`\`shark-import\nh.txt /data/g.txt md5:${'0'.repeat(32)}\n\`\`\`\n`);
    const bad = (await rig.shark(['plan', 's.md', '--script'])).stdout;
    expect(() => runScript(bad)).toThrow();
    expect(rig.exists('data/g.txt')).toBe(false);
  });
});

describe('the hand script\'s headers', () => {
  it('give each block the line plan, lineage and run give its step: the command\'s, not the fence\'s', async () => {
    rig.write('s.md', ['---', 'YEAR: [2015]', '---', '## Clean', '', '```shark-run', 'echo %{YEAR} > /data/clean-%{YEAR}.txt', '```', ''].join('\n'));
    const script = await rig.shark(['plan', 's.md', '--script']);
    expect(script.code).toBe(0);
    expect(script.stdout).toMatch(/^# --- clean\[YEAR=2015\] \(s\.md:7\)$/m);
    expect((await rig.shark(['plan', 's.md'])).stdout).toMatch(/^run +clean\[YEAR=2015\] +s\.md:7 /m);
  });
});

describe('a subset script (-e) and a fan-in', () => {
  it('says the fan-in reads whatever /data holds, where shark run gives it the chosen values only (it summed an earlier run\'s other values in silence)', async () => {
    rig.write('p.md', '---\nT: [a, b]\n---\n```shark-run\necho 1 > /data/per/%{T}.txt\n```\n\n```shark-run {id=total}\nls /data/per/ > /data/total.txt\n```\n');
    const script = await rig.shark(['plan', 'p.md', '--script', '-e', 'T=a']);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain("# -e leaves out run[T=b], which write where total reads: shark run gives it the chosen values' files only; this script, whatever /data holds");
    expect((await rig.shark(['plan', 'p.md', '--script'])).stdout).not.toContain('leaves out');
  });
});
