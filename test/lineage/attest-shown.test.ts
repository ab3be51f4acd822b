import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { storeSql } from '../support/store-db.js';

/** A variable, a local script, and a map: what lineage shows beside the command. */
const PIPELINE = `---
SCALE: 2
---
# Vars

\`\`\`shark-run
mkdir -p /data/in && echo 21 > /data/in/a.txt && echo 4 > /data/in/b.txt
\`\`\`

## Scale

\`\`\`shark-run
sh helper.sh /data/in/* > /data/scaled/+
\`\`\`

## Total

\`\`\`shark-run
cd /data/scaled/ && cat * > /data/total.txt
\`\`\`
`;

describe('verify checks what lineage shows against what was signed', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig('shark-attest-shown-');
    rig.write('p.md', PIPELINE);
    rig.write('helper.sh', 'awk -v s="$SCALE" \'{ print $1 * s }\' "$1"\n');
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
    const ran = await rig.shark(['run', 'p.md', '--sign', 'k.key']);
    expect(ran.code, ran.stderr).toBe(0);
    expect((await verify()).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  const sql = (statement: string): void => storeSql(rig, statement);
  const verify = (): ReturnType<Rig['shark']> => rig.shark(['verify', 'p.md', '/data/total.txt', '--key', 'k.pub']);
  const refused = async (pattern: RegExp): Promise<void> => {
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(pattern);
  };

  it('a variable lineage shows changed in the database', async () => {
    sql(`UPDATE results SET shown = replace(shown, '[["SCALE","2"]]', '[["SCALE","5"]]')`);
    expect((await rig.shark(['lineage', 'p.md', '/data/total.txt'])).stdout).toContain('SCALE=5');
    await refused(/: the variables lineage shows is not the signed one: `\{"SCALE":"5"\}` \(signed: `\{"SCALE":"2"\}`\)/);
  });

  it('the host lineage shows changed in the database', async () => {
    sql(`UPDATE results SET shown = replace(shown, '"${hostname()}"', '"certified-cluster"')`);
    await refused(/: the host lineage shows is not the signed one: `certified-cluster`/);
  });

  it('a local file lineage shows with another content id', async () => {
    sql(`UPDATE results SET shown = replace(shown, '"helper.sh","sha256:', '"helper.sh","sha256:00')`);
    await refused(/scale\[a\.txt\]: the local files lineage shows is not the signed one/);
  });

  it("a job renamed, moved or given another map item in the making run's records", async () => {
    sql(`UPDATE run_jobs SET job = 'approved-by-qa' WHERE job = 'vars'`);
    await refused(/^approved-by-qa: run 1, which made it, records no job vars of its cache key/m);
    sql(`UPDATE run_jobs SET job = 'vars' WHERE job = 'approved-by-qa'; UPDATE run_jobs SET job = 'scale[zzz.txt]' WHERE job = 'scale[a.txt]'`);
    await refused(/^scale\[zzz\.txt\]: the map items lineage shows are not the signed ones \(scale\[a\.txt\]\)$/m);
    sql(`UPDATE run_jobs SET job = 'scale[a.txt]' WHERE job = 'scale[zzz.txt]'; UPDATE run_jobs SET line = 99 WHERE job = 'total'`);
    await refused(/^total: run 1, which made it, records it at line 99, not at p\.md:\d+:1 as its envelope says$/m);
  });

  it('a block renamed since, its result found cached, verifies with a note giving the signed name', async () => {
    rig.write('p.md', PIPELINE.replace('## Total', '## Sum'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['lineage', 'p.md', '/data/total.txt', '--depth', '0'])).stdout).toMatch(/^sum /m);
    const verified = await verify();
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^sum: shown as a later run names it, at p\.md:\d+:1; its envelope signs it as total, at p\.md:\d+:1, in run 1$/m);
  });
});
