import { open } from 'node:fs/promises';

/**
 * Its bytes (a file) or its names (a directory: a rename into it) on disk
 * before this returns.
 */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
