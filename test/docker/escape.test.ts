import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, run, scratch } from './rig.js';

/**
 * A step's symbolic links are data: a later container step that reads one
 * must see what the link names inside its own container, never the host file,
 * directory or socket the name happens to denote on the host.
 */
describeDocker('symbolic links made by a container step (CLI)', (client) => {
  let tmp: ReturnType<typeof scratch>;
  let secret: string;
  let hostDir: string;
  const socket = client.endpoint.kind === 'unix' ? client.endpoint.socketPath : '/var/run/docker.sock';
  beforeEach(() => {
    tmp = scratch('shark-docker-escape-');
    // Outside the pipeline's directory and its store: the host's own files.
    secret = join(tmp.dir, 'host', 'root-only.txt');
    hostDir = join(tmp.dir, 'host', 'private');
    mkdirSync(hostDir, { recursive: true });
    writeFileSync(join(hostDir, 'host-only-marker.txt'), 'x');
    writeFileSync(secret, 'TOP-SECRET-HOST-BYTES\n');
    chmodSync(secret, 0o600);
    mkdirSync(join(tmp.dir, 'project'));
  });
  afterEach(() => tmp.cleanup());

  const pipeline = (body: string): string => `\`\`\`shark-build:box\nFROM ${BASE}\n\`\`\`\n\n${body}`;
  const published = (): Record<string, string> => {
    const out: Record<string, string> = {};
    const walk = (dir: string, prefix: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name), `${prefix}${e.name}/`);
        else out[prefix + e.name] = readFileSync(join(dir, e.name), 'utf8');
      }
    };
    walk(join(tmp.dir, 'project', '_shark'), '');
    return out;
  };

  it('a later step reading the links sees neither the host file, the host directory nor the Docker socket', async () => {
    writeFileSync(join(tmp.dir, 'project', 'escape.md'), pipeline(`\`\`\`shark-run:box
ln -s ${secret} /data/file-link
ln -s ${hostDir} /data/dir-link
ln -s ${socket} /data/sock-link
\`\`\`

\`\`\`shark-run:box
cat /data/file-link > /data/read-file.txt 2>&1 || true
ls -L /data/dir-link > /data/read-dir.txt 2>&1 || true
{ test -S /data/sock-link && echo socket || echo no-socket; } > /data/read-sock.txt
\`\`\`

\`\`\`shark-publish
/data/read-file.txt
/data/read-dir.txt
/data/read-sock.txt
\`\`\`
`));
    const r = await run('escape.md', join(tmp.dir, 'project'));
    expect(r.result.code, r.result.stderr + r.result.stdout).toBe(0);
    const seen = published();
    expect({
      file: seen['read-file.txt']?.includes('TOP-SECRET'),
      dir: seen['read-dir.txt']?.includes('host-only-marker'),
      socket: seen['read-sock.txt'],
    }).toEqual({ file: false, dir: false, socket: 'no-socket\n' });
  });

  it('map items that are links to host paths are not followed either', async () => {
    writeFileSync(join(tmp.dir, 'project', 'escape-map.md'), pipeline(`\`\`\`shark-run:box
mkdir -p /data/files && ln -s ${secret} /data/files/a
mkdir -p /data/dirs && ln -s ${hostDir} /data/dirs/a
mkdir -p /data/socks && ln -s ${socket} /data/socks/a
\`\`\`

\`\`\`shark-run:box
cat /data/files/* > /data/seen-files/+ 2>&1 || true
\`\`\`

\`\`\`shark-run:box
ls -L /data/dirs/* > /data/seen-dirs/+ 2>&1 || true
\`\`\`

\`\`\`shark-run:box
{ test -S /data/socks/* && echo socket || echo no-socket; } > /data/seen-socks/+
\`\`\`

\`\`\`shark-publish
/data/seen-files/
/data/seen-dirs/
/data/seen-socks/
\`\`\`
`));
    const r = await run('escape-map.md', join(tmp.dir, 'project'));
    expect(r.result.code, r.result.stderr + r.result.stdout).toBe(0);
    const seen = published();
    expect({
      file: seen['seen-files/a']?.includes('TOP-SECRET'),
      dir: seen['seen-dirs/a']?.includes('host-only-marker'),
      socket: seen['seen-socks/a'],
    }).toEqual({ file: false, dir: false, socket: 'no-socket\n' });
  });

  // The reader names the link's target too: what a job may read is what it names.
  it('a link that points inside /data still works in the container', async () => {
    writeFileSync(join(tmp.dir, 'project', 'inside.md'), pipeline(`\`\`\`shark-run:box
echo inside > /data/real.txt
ln -s /data/real.txt /data/abs-link
mkdir -p /data/dir && echo nested > /data/dir/real.txt && ln -s real.txt /data/dir/rel-link
\`\`\`

\`\`\`shark-run:box
cat /data/abs-link /data/real.txt > /data/via-abs.txt
cat /data/dir/rel-link /data/dir/real.txt > /data/via-rel.txt
\`\`\`

\`\`\`shark-publish
/data/via-abs.txt
/data/via-rel.txt
\`\`\`
`));
    const r = await run('inside.md', join(tmp.dir, 'project'));
    expect(r.result.code, r.result.stderr + r.result.stdout).toBe(0);
    expect(published()).toEqual({ 'via-abs.txt': 'inside\ninside\n', 'via-rel.txt': 'nested\nnested\n' });
  });
});
