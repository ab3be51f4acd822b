import type Database from 'better-sqlite3';
import { createPrivateKey, sign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pae } from '../../src/lineage/attest/dsse.js';
import { Rig } from '../support/rig.js';
import { withStoreDb } from '../support/store-db.js';
import { INPUTS, PIPELINE, tinyRig } from './fixture.js';

interface Envelope { payload: string; payloadType: string; signatures: { keyid?: string; sig: string }[] }
type Statement = { subject: { name: string }[]; predicate: { buildDefinition: { internalParameters: Record<string, unknown> } } };

const statementOf = (e: Envelope): Statement => JSON.parse(Buffer.from(e.payload, 'base64').toString()) as Statement;

/** The document with `/data/upper.txt` declared a frontmatter input and the block that makes it gone: what a forger edits it to. */
const FORGED = PIPELINE.replace('  ranges: /data/ranges/\n', '  ranges: /data/ranges/\n  upper: /data/upper.txt\n')
  .replace(/## Prepare\n\n```shark-run\n[^`]*```\n\n/, '');

describe('verify tells data from the host by what the envelope signed, not by today\'s document', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = tinyRig();
    expect((await rig.shark(['keygen', '-o', 'shark'])).code).toBe(0);
    const ran = await rig.shark(['run', 'p.md', ...INPUTS, '--sign', 'shark.key']);
    expect(ran.code, ran.stderr).toBe(0);
  });
  afterEach(() => rig.cleanup());

  const sql = <T>(use: (db: Database.Database) => T): T => withStoreDb(rig, use);
  const envelopes = (): { key: string; envelope: Envelope }[] =>
    sql((db) => db.prepare<[], { key: string; envelope: string }>('SELECT key, envelope FROM attestations').all())
      .map((r) => ({ key: r.key, envelope: JSON.parse(r.envelope) as Envelope }));
  /** The upstream step's records removed and the document edited to call its output an input. */
  const forge = (): void => {
    sql((db) => db.exec("DELETE FROM run_jobs WHERE job = 'prepare'"));
    rig.write('p.md', FORGED);
  };
  const verify = (): ReturnType<Rig['shark']> => rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);

  it("each statement signs the frontmatter inputs its job read; the report's names none", () => {
    const hostInputs = new Map(envelopes().map(({ envelope }) => {
      const s = statementOf(envelope);
      return [s.subject[0]!.name, s.predicate.buildDefinition.internalParameters['hostInputs']];
    }));
    expect(hostInputs.get('/data/upper.txt')).toEqual(['/data/raw.txt']);
    expect(hostInputs.get('/data/report.txt')).toEqual([]);
  });

  it('an upstream step whose records were removed, its output declared an input in the edited document, does not verify', async () => {
    expect((await verify()).code).toBe(0);
    forge();
    expect((await rig.shark(['check', 'p.md'])).code).toBe(0);
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^report: input \/data\/upper\.txt is not a frontmatter input, yet no job of the run is recorded writing it/m);
  });

  it('an envelope an older Shark signed (no hostInputs) verifies with the document the run read, and not with an edited one', async () => {
    const key = createPrivateKey(rig.read('shark.key'));
    sql((db) => {
      for (const { key: cacheKey, envelope } of envelopes()) {
        const s = statementOf(envelope);
        delete s.predicate.buildDefinition.internalParameters['hostInputs'];
        const body = Buffer.from(JSON.stringify(s));
        const resigned = { ...envelope, payload: body.toString('base64'), signatures: [{ ...envelope.signatures[0]!, sig: sign(null, pae(envelope.payloadType, body), key).toString('base64') }] };
        db.prepare('UPDATE attestations SET envelope = ? WHERE key = ?').run(JSON.stringify(resigned), cacheKey);
      }
    });
    const unchanged = await verify();
    expect(unchanged.stderr).toBe('');
    expect(unchanged.code).toBe(0);
    forge();
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^report: input \/data\/upper\.txt: no job of the run is recorded writing it, and the document changed since run 1: its envelope, signed by an older Shark, does not say which inputs came from the host/m);
  });
});
