import { statSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * Published files take the umask, as `cp` does and as the directories they
 * are put in are made: under `umask 077` a "private" result was published
 * 0644, readable by others in a directory they could enter.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-publish-umask-')));
afterEach(() => rig.cleanup());

const DOC = '```shark-run\necho s > /data/secret.txt\nprintf "#!/bin/sh\\n" > /data/tool.sh && chmod +x /data/tool.sh\n```\n\n```shark-publish\n/data/secret.txt\n/data/tool.sh\n```\n';
const mode = (rel: string): number => statSync(rig.path(rel)).mode & 0o777;

it('under umask 077 a published file is its owner\'s alone; under 022, 0644 and 0755 as before', async () => {
  rig.write('p.md', DOC);
  const ran = await rig.shark(['run', 'p.md'], { wrap: ['sh', '-c', 'umask 077 && exec "$0" "$@"'] });
  expect(ran.code, ran.stderr).toBe(0);
  expect([mode('_shark'), mode('_shark/secret.txt'), mode('_shark/tool.sh')]).toEqual([0o700, 0o600, 0o700]);
  rig.write('p.md', DOC.replace('echo s', 'echo t'));
  const open = await rig.shark(['run', 'p.md'], { wrap: ['sh', '-c', 'umask 022 && exec "$0" "$@"'] });
  expect(open.code, open.stderr).toBe(0);
  expect([mode('_shark/secret.txt'), mode('_shark/tool.sh')]).toEqual([0o644, 0o755]);
});
