import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig('shark-look-alike-');
});
afterEach(() => rig.cleanup());

/** A document whose blocks' tags hold `tags` in turn, then one plain block, so that it has a step whatever they are read as. */
const doc = (...tags: string[]): string => ['# T', '', ...tags.flatMap((t, i) => [`\`\`\`${t}`, `echo ${i} > /data/${i}.txt`, '```', '']),
  '```shark-run', 'echo ok > /data/ok.txt', '```', ''].join('\n');

it('an invisible or look-alike character in a tag is an error at it, naming it: the block was prose, silently never run', async () => {
  rig.write('z.md', doc('\u200bshark-run:env', 'shark\u2011run:env', 'shark-\u2013run', 'shark-ru\u00adn', '\uff53hark-publish'));
  const ran = await rig.shark(['check', 'z.md']);
  expect(ran.code).toBe(2);
  const errors = ran.stderr.split('\n').filter((l) => l.startsWith('z.md:'));
  const prose = 'so its block is prose and never runs';
  expect(errors).toEqual([
    `z.md:3:4: error: \`\\u200bshark-run:env\` is no Shark tag: it holds a zero-width space (U+200B) at its start, ${prose} (did you mean \`shark-run:env\`?)`,
    `z.md:7:9: error: \`shark\\u2011run:env\` is no Shark tag: it holds a non-breaking hyphen (U+2011) after \`shark\`, ${prose} (did you mean \`shark-run:env\`?)`,
    `z.md:11:10: error: \`shark-\\u2013run\` is no Shark tag: it holds an en dash (U+2013) after \`shark-\`, ${prose} (did you mean \`shark-run\`?)`,
    `z.md:15:12: error: \`shark-ru\\u00adn\` is no Shark tag: it holds a soft hyphen (U+00AD) after \`shark-ru\`, ${prose} (did you mean \`shark-run\`?)`,
    `z.md:19:4: error: \`\\uff53hark-publish\` is no Shark tag: it holds a look-alike of \`s\` (U+FF53) at its start, ${prose} (did you mean \`shark-publish\`?)`,
  ]);
});

it('says nothing of such a character in another tool\'s tag, or in a block\'s options', async () => {
  rig.write('p.md', doc('\u200bpython', 'text\u2011only', 'shark-run {slurm="--comment=a\u2013b"}'));
  const ran = await rig.shark(['check', 'p.md']);
  expect(ran.stderr).toBe('');
  expect(ran.stdout).toBe('p.md: ok — 2 blocks, 2 steps, 0 environments\n');
});
