import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DockerEnvironments } from '../../src/exec/docker/docker-environments.js';
import { BASE, describeDocker, pipelineIn, request, scratch, writeTree } from './rig.js';

const signal = new AbortController().signal;

// OBuilder's copy puts a directory itself into a destination ending in `/` (Docker's COPY would spread its contents).
describeDocker('OBuilder copy in a real build', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeAll(() => {
    tmp = scratch();
  });
  afterAll(() => tmp.cleanup());

  it('copies directories as themselves, files under their names, and leaves excluded names out', async () => {
    const dir = mkdtempSync(join(tmp.dir, 'p-'));
    writeTree(dir, { 'tool/bin/hello.sh': 'echo hi\n', 'tool/_build/junk': 'x\n', 'notes.txt': 'n\n' });
    const { path, pipeline } = pipelineIn(dir, `\`\`\`shark-build:life
((from ${BASE})
 (workdir /work)
 (copy (src "tool") (dst "./") (exclude _build))
 (copy (src notes.txt tool/bin) (dst /opt/)))
\`\`\`

\`\`\`shark-run:life
find /work /opt | sort > /data/tree.txt
\`\`\`
`);
    const provider = new DockerEnvironments(pipeline, { pipelinePath: path, update: false });
    expect(await provider.ensure('life', signal)).toEqual({ id: expect.stringMatching(/^docker:sha256:/) });
    const req = request(tmp.dir, { script: 'find /work /opt | sort > /data/tree.txt' });
    expect(await provider.executor('life').run(req)).toEqual({ status: 'ok' });
    expect(readFileSync(join(req.workspace.root, 'data/tree.txt'), 'utf8').trim().split('\n')).toEqual([
      '/opt', '/opt/bin', '/opt/bin/hello.sh', '/opt/notes.txt',
      '/work', '/work/tool', '/work/tool/bin', '/work/tool/bin/hello.sh',
    ]);
  });
});
