import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectDocker, type DockerClient } from '../src/exec/docker/client.js';
import { DockerExecutor } from '../src/exec/docker/docker-executor.js';
import type { ExecRequest } from '../src/exec/executor.js';

const JOBS = Number(process.env.SHARK_BENCH_DOCKER_JOBS ?? 200);
const IMAGE = process.env.SHARK_TEST_IMAGE ?? 'shark-test/busybox:latest';
const TARGET = 1.2;

/**
 * Per-job overhead of the Docker executor: JOBS trivial jobs (`true`), one at
 * a time and two at once, beside a shell loop of `docker run --rm` of the same
 * command (the floor any Docker-based runner pays). Every Shark job gets what
 * a real one gets: its own workspace, a log file, /data mounted, no network.
 */
export async function benchDocker(): Promise<string[]> {
  const connection = await connectDocker();
  if (!connection.ok) return [`docker: skipped: ${connection.message.split('\n')[0]}`];
  const client = connection.client;
  const image = await client.imageId(IMAGE);
  if (image === undefined) return [`docker: skipped: image ${IMAGE} not found (scripts/services/make-base-image.sh makes it)`];
  if (spawnSync('docker', ['version'], { stdio: 'ignore' }).status !== 0) return ['docker: skipped: the docker CLI is needed for the comparison'];

  const dir = mkdtempSync(join(tmpdir(), 'shark-bench-docker-'));
  try {
    await runJobs(client, image, dir, 3, 1); // warm up: first container start pays for caches
    const cli = cliLoop(image, JOBS);
    const sequential = await runJobs(client, image, dir, JOBS, 1);
    const parallel = await runJobs(client, image, dir, JOBS, 2);
    const perJob = (ms: number): string => `${(ms / JOBS).toFixed(1)} ms/job`;
    const ratio = sequential / cli;
    return [
      `docker: ${JOBS} trivial jobs (\`true\` in ${IMAGE})`,
      `  docker run --rm (shell loop)   ${perJob(cli)}`,
      `  shark docker executor, -j 1     ${perJob(sequential)}  (${ratio.toFixed(2)}x docker run; target ≤ ${TARGET}x: ${ratio <= TARGET ? 'ok' : 'MISSED'})`,
      `  shark docker executor, -j 2     ${perJob(parallel)}  (wall time per job; ${(sequential / parallel).toFixed(2)}x faster than -j 1)`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runJobs(client: DockerClient, image: string, dir: string, count: number, concurrency: number): Promise<number> {
  const executor = new DockerExecutor(async () => ({ ok: true, client, image }));
  const signal = new AbortController().signal;
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const root = join(dir, `ws-${concurrency}-${n}`);
      mkdirSync(join(root, 'data'), { recursive: true });
      const req: ExecRequest = {
        label: `bench-${n}`,
        script: () => 'true',
        workspace: { root },
        inputs: [],
        outputs: [],
        cwd: undefined,
        pipelineDir: dir,
        containerWorkdir: '/root',
        env: {},
        network: false,
        timeout: undefined,
        logPath: join(root, 'job.log'),
        signal,
      };
      const outcome = await executor.run(req);
      if (outcome.status !== 'ok') throw new Error(`bench job ${n} did not succeed: ${JSON.stringify(outcome)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - t0;
}

function cliLoop(image: string, count: number): number {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `i=0; while [ $i -lt ${count} ]; do docker run --rm --network none ${image} true || exit 1; i=$((i+1)); done`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('docker run loop failed');
  return performance.now() - t0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of await benchDocker()) console.log(line);
}
