import { afterEach, describe, expect, it } from 'vitest';
import { drawsEscapes, printable, shownName } from '../../src/printable.js';
import { Rig } from '../support/rig.js';

/** What a terminal obeys rather than shows: C0 and C1 controls, and bidirectional formatting marks. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('printable and shownName', () => {
  it('escape C1 controls and bidirectional marks, as they escape C0 ones', () => {
    expect(printable('a\u009b31mb')).toBe('a\\x9b31mb');
    expect(printable('bidi\u202etxt.exe')).toBe('bidi\\u202etxt.exe');
    expect(printable('\u2066x\u2069\u200e\u200f\u061c\u0085')).toBe('\\u2066x\\u2069\\u200e\\u200f\\u061c\\x85');
    expect(printable('été ✓ 名')).toBe('été ✓ 名');
    expect(shownName('bidi\u202etxt.exe')).toBe('"bidi\\u202etxt.exe"');
    expect(shownName('c1\u009b31mX')).toBe('"c1\\u009b31mX"');
    expect(JSON.parse(shownName('a\u0085\u2067\n\u007f'))).toBe('a\u0085\u2067\n\u007f');
    expect(shownName('été')).toBe('été');
  });

  it('draw no escapes at a terminal that says it obeys none (TERM=dumb: Emacs\'s shell showed the status line\'s ^[[2K)', () => {
    const term = process.env.TERM;
    try {
      process.env.TERM = 'xterm';
      expect(drawsEscapes({ isTTY: true })).toBe(true);
      expect(drawsEscapes({ isTTY: false })).toBe(false);
      process.env.TERM = 'dumb';
      expect(drawsEscapes({ isTTY: true })).toBe(false);
    } finally {
      if (term === undefined) delete process.env.TERM;
      else process.env.TERM = term;
    }
  });
});

let rig: Rig | undefined;
afterEach(() => rig?.cleanup());

it('run, plan -v and logs show map items named with C1 controls or bidi marks escaped', async () => {
  rig = new Rig();
  rig.write('m.md', [
    '# m', '',
    '```shark-run',
    `mkdir -p /data/w && cd /data/w && printf C > "$(printf 'c1\\302\\233 31mX')" && printf B > "$(printf 'bidi\\342\\200\\256txt.exe')"`,
    '```', '',
    '```shark-run',
    'cat /data/w/* > /data/o/+ && test "$(cat /data/w/*)" = C',
    '```', '',
  ].join('\n'));
  const run = await rig.shark(['run', 'm.md']);
  // The bidi item's job fails, so that `run` names it.
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.stdout).toContain('bidi\\u202etxt.exe');
  const plan = await rig.shark(['plan', 'm.md', '-v']);
  const logs = await rig.shark(['logs', 'm.md']);
  expect(run.stdout).not.toMatch(UNSAFE);
  for (const out of [plan.stdout, logs.stdout]) {
    expect(out).not.toMatch(UNSAFE);
    expect(out).toContain('c1\\x9b 31mX');
    expect(out).toContain('bidi\\u202etxt.exe');
  }
  // --json keeps the names exact.
  const json = JSON.parse((await rig.shark(['plan', 'm.md', '--json'])).stdout) as { jobs: { items?: string[] }[] };
  expect(json.jobs.flatMap((j) => j.items ?? []).sort()).toEqual(['bidi\u202etxt.exe', 'c1\u009b 31mX']);
});

it('a document whose name holds a newline or an escape is shown escaped: plan --script gets no line of its name, messages no forged line', async () => {
  rig = new Rig();
  const name = 'x\ntouch INJECTED\n#\u001b[31m.md';
  rig.write(name, '# T\n\n```shark-run\necho hi > /data/a.txt\n```\n\n```shark-run\ncat /data/nope.txt > /data/b.txt\n```\n');
  const bad = await rig.shark(['check', name]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).not.toMatch(UNSAFE);
  expect(bad.stderr.split('\n').filter((l) => l.startsWith('touch'))).toEqual([]);
  expect(bad.stderr).toContain('"x\\ntouch INJECTED\\n#\\u001b[31m.md":8:5: error: ');
  rig.write(name, '# T\n\n```shark-run\necho hi > /data/a.txt\n```\n');
  const ok = await rig.shark(['check', name]);
  expect(ok.stdout).toBe('"x\\ntouch INJECTED\\n#\\u001b[31m.md": ok — 1 block, 1 step, 0 environments\n');
  const script = await rig.shark(['plan', name, '--script']);
  expect(script.code).toBe(0);
  expect(script.stdout).not.toMatch(UNSAFE);
  expect(script.stdout.split('\n').filter((l) => l.startsWith('touch'))).toEqual([]);
  expect((await rig.shark(['plan', name])).stdout).not.toMatch(UNSAFE);
});

it('run names a store whose path holds an escape or a newline escaped: its first line forges nothing', async () => {
  rig = new Rig();
  rig.write('p.md', '# T\n\n```shark-run\necho hi > /data/a.txt\n```\n');
  const ran = await rig.shark(['run', 'p.md', '--store', 'st\u001b[31more\nok: forged']);
  expect(ran.code).toBe(0);
  expect(ran.stdout + ran.stderr).not.toMatch(UNSAFE);
  expect(ran.stdout + ran.stderr).not.toMatch(/^ok: forged/m);
  expect(ran.stderr + ran.stdout).toContain('/st\\u001b[31more\\nok: forged"');
});

it('gc and fsck name such a store escaped too', async () => {
  rig = new Rig();
  rig.write('p.md', '# T\n\n```shark-run\necho hi > /data/a.txt\n```\n');
  const store = 'st\u001b[31more\nok: forged';
  expect((await rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
  for (const args of [['gc', 'p.md', '--store', store], ['fsck', '--store', store]]) {
    const said = await rig.shark(args);
    expect(said.code, args[0]).toBe(0);
    expect(said.stdout + said.stderr, args[0]).not.toMatch(UNSAFE);
    expect(said.stdout + said.stderr, args[0]).not.toMatch(/^ok: forged/m);
    expect(said.stdout, args[0]).toContain('/st\\u001b[31more\\nok: forged"');
  }
});

it('a value typed on the command line and quoted back in a message is shown escaped: no escape reaches the terminal, no target forges a line', async () => {
  rig = new Rig();
  rig.write('p.md', '# T\n\n```shark-run\necho hi > /data/a.txt\n```\n');
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  const esc = 'x\u001b[31m\u009b2J\u202e';
  const asked = [
    ['plan', 'p.md', `/data/${esc}`], ['run', 'p.md', esc], ['plan', 'p.md', '--force', esc],
    ['lineage', 'p.md', `/data/${esc}`], ['impact', 'p.md', esc], ['why', esc],
    ['plan', 'p.md', '-e', esc], ['plan', 'p.md', '--memory', esc], ['shell', '--env', esc],
  ];
  for (const args of asked) {
    const said = await rig.shark(args);
    expect(said.code, args.join(' ')).not.toBe(0);
    expect(said.stderr, args.join(' ')).toContain('\\x1b[31m\\x9b2J\\u202e');
    expect(said.stderr + said.stdout, args.join(' ')).not.toMatch(UNSAFE);
  }
  for (const target of ['x\nok: forged', '/data/x\nok: forged']) {
    const forged = await rig.shark(['plan', 'p.md', target]);
    expect(forged.code).toBe(2);
    expect(forged.stderr).not.toMatch(/^ok: forged/m);
    expect(forged.stderr).toContain('x\\nok: forged');
  }
});
