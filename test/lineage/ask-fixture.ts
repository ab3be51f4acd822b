import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { SHARK, type Ran, type Rig } from '../support/rig.js';

/** A small host pipeline for the questions (why, runs, lineage, impact, diff): prepare → sum → report, published; an independent branch. */
export const PIPELINE = `# Counting

## Prepare

\`\`\`shark-run
echo "1 2 3" > /data/numbers.txt
\`\`\`

## Sum

\`\`\`shark-run
tr ' ' '\\n' < /data/numbers.txt | awk '{ s += $1 } END { print s }' > /data/sum.txt
\`\`\`

## Report

\`\`\`shark-run
echo "total $(cat /data/sum.txt)" > /data/report.txt
\`\`\`

## Other

\`\`\`shark-run
echo independent > /data/other.txt
\`\`\`

## Publish

\`\`\`shark-publish
/data/report.txt
\`\`\`
`;

/** The same pipeline with the middle command edited (its output changes). */
export const EDITED = PIPELINE.replace("print s }'", "print s * 2 }'");

/**
 * What varies from machine to machine or run to run: the temporary directory,
 * times (as a placeholder of the same width, so columns stay aligned), the host name and platform, and Shark's version.
 */
export function normalise(text: string, rig: Rig): string {
  let out = text;
  for (const dir of new Set([rig.dir, realpathSync(rig.dir)])) out = out.split(dir).join('<dir>');
  return out
    .split(hostname()).join('<host>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\dZ/g, 'YYYY-MM-DDTHH:MM:SS.sssZ')
    .replace(/host(:|#58;)[a-z0-9]+\/[a-z0-9_]+/g, 'host$1<os>/<arch>')
    .replace(/shark \d+\.\d+\.\d+\S*/g, 'shark <version>')
    .replace(/"version": "\d+\.\d+\.\d+[^"]*"/g, '"version": "<version>"');
}

/** Opens the store's database for a test to read or fake history in. */
export function database(rig: Rig, store = '.shark'): Database.Database {
  return new Database(rig.path(`${store}/shark.sqlite`));
}

/** Runs the real binary from a subdirectory of the rig (the rig itself always runs from its top). */
export function sharkIn(rig: Rig, cwd: string, args: readonly string[]): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SHARK, ...args], { cwd: join(rig.dir, cwd), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
