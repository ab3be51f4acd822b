import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { CasStore } from '../../src/store/cas-store.js';
import { Metadata } from '../../src/store/metadata.js';
import { storeContract } from './contract.js';

describe('content-addressed store', () => {
  const dirs: string[] = [];
  storeContract({
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shark-cas-'));
      dirs.push(dir);
      const meta = new Metadata(dir);
      return { store: new CasStore(dir, meta), meta };
    },
    cleanup: async () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
    // Inputs are hard links to the store's read-only objects: root can write through them.
    readOnly: 'permissions',
  });
});
