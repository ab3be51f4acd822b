import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rig } from './rig.js';

/** The object file holding `content` in the rig's store (followed if a link: damage tests put one there). */
export function objectWith(rig: Rig, content: string): string {
  const root = rig.path('.shark/objects');
  for (const prefix of readdirSync(root)) {
    for (const name of readdirSync(join(root, prefix))) {
      const path = join(root, prefix, name);
      if (readFileSync(path, 'utf8') === content) return path;
    }
  }
  throw new Error('no such object');
}
