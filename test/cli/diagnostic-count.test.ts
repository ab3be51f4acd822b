import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

const DOC = `---
inputs:
  a: /data/a.txt
secrets: [TOKEN]
---

${fence}shark-run {pool=db, memory=2G}
echo ran >> counter; cat /data/a.txt > /data/o.txt
${fence}
`;

/**
 * The document's problems that only plan and run find (they read the command
 * line and the machine) end as check's do: with `N errors in FILE`, exit 2.
 */
describe('errors plan and run find in the document end with the count line, as check does', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', DOC);
    rig.write('a.txt', 'a\n');
  });
  afterEach(() => rig.cleanup());

  it.each([
    ['an input no -i binds (and the undeclared pool)', [], 2],
    ['an -i naming no input, beside an unbound one (and the pool)', ['-i', 'ghost=a.txt'], 3],
    ['an undeclared pool', ['-i', 'a=a.txt'], 1],
    ['a block needing more memory than --memory', ['-i', 'a=a.txt', '--pool', 'db=1', '--memory', '1G'], 1],
    ['a --pool no block uses', ['-i', 'a=a.txt', '--pool', 'db=1', '--pool', 'gpu=1'], 1],
  ])('%s', async (_, args, n) => {
    for (const command of ['plan', 'run']) {
      const r = await rig.shark([command, 'p.md', ...args], { env: { TOKEN: 'x' } });
      expect(r.code, `${command}: ${r.stderr}`).toBe(2);
      expect(r.stderr, command).toMatch(/^p\.md:\d+:\d+: error: /);
      expect(r.stderr, command).toMatch(new RegExp(`\\n${n} errors? in p\\.md\\n$`));
      expect(r.stderr.match(/ errors? in /g), command).toHaveLength(1);
    }
    expect(rig.count()).toBe(0);
  });

  it('all at once: an unbound input, a secret nobody gave, an undeclared pool and a missing local import', async () => {
    rig.write('q.md', `${rig.read('p.md')}\n\`\`\`shark-import\nranges/AVES.csv /data/ranges/AVES.csv\n\`\`\`\n`);
    for (const command of ['plan', 'run']) {
      const r = await rig.shark([command, 'q.md'], { env: { TOKEN: '' } });
      expect(r.code, r.stderr).toBe(2);
      const errors = r.stderr.split('\n').filter((l) => / error: /.test(l)).map((l) => l.replace(/^q\.md:\d+:\d+: error: /, '').slice(0, 30));
      expect(errors, command).toEqual(command === 'run'
        ? ['input `a` (/data/a.txt) is not', 'secret `TOKEN` is not set: exp', 'undeclared pool `db`: give its', 'local import `ranges/AVES.csv`']
        : ['input `a` (/data/a.txt) is not', 'undeclared pool `db`: give its', 'local import `ranges/AVES.csv`']);
      expect(r.stderr, command).toMatch(new RegExp(`\\n${errors.length} errors in q\\.md\\n$`));
    }
    expect(rig.exists('.shark')).toBe(false);
  });

  it('for a secret run needs and nobody gave', async () => {
    const r = await rig.shark(['run', 'p.md', '-i', 'a=a.txt', '--pool', 'db=1'], { env: { TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('p.md:4:11: error: secret `TOKEN` is not set: export it, or give it in a file with --secrets FILE\n    4 | secrets: [TOKEN]\n      |           ^\n1 error in p.md\n');
  });

  it('shows each with its line, then the count', async () => {
    const r = await rig.shark(['plan', 'p.md', '-i', 'a=a.txt'], { env: { TOKEN: 'x' } });
    expect(r.stderr).toBe([
      'p.md:7:15: error: undeclared pool `db`: give its size in the frontmatter (`pools: {db: 1}`) or with --pool db=N',
      '    7 | ```shark-run {pool=db, memory=2G}',
      '      |               ^',
      '1 error in p.md',
      '',
    ].join('\n'));
  });
});
