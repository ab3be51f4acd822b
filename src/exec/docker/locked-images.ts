import type { LockFile } from '../../lockfile.js';
import { dockerEndpoint } from './endpoint.js';
import { probeImages } from './image-probe.js';
import type { Drift } from './image-names.js';

type Locked = LockFile['environments'][string];

/**
 * What the engine has now of the images and bases the lock file names for a
 * pipeline's environments: asked once for all of them (`probeImages`), and
 * again only after the lock changed (`forget`). Nothing is known when the
 * engine cannot be asked: then nothing has moved or gone.
 */
export class LockedImages {
  private drift: readonly Drift[] | undefined;
  private engine: { readonly ids: ReadonlyMap<string, string | null> | undefined; readonly labels?: ReadonlyMap<string, Readonly<Record<string, string>>> } | undefined;

  constructor(private readonly envs: () => Iterable<string>, private readonly locked: (env: string) => Locked | undefined) {}

  /**
   * The id the engine has now of every locked base and image (by reference);
   * undefined when it cannot be asked. A reference the engine says it lacks maps to null.
   */
  ids(): ReadonlyMap<string, string | null> | undefined {
    if (this.engine === undefined) {
      const locked = [...this.envs()].flatMap((env) => {
        const entry = this.locked(env);
        return entry === undefined ? [] : [...Object.entries(entry.bases).flat(), entry.image];
      });
      const probed = locked.length === 0 ? undefined : probeImages(dockerEndpoint(), [...new Set(locked)]);
      this.engine = locked.length === 0 ? { ids: new Map() } : { ids: probed?.ids, ...(probed !== undefined ? { labels: probed.labels } : {}) };
    }
    return this.engine.ids;
  }

  /** The labels of a locked image, as the engine has them. */
  labels(image: string): Readonly<Record<string, string>> | undefined {
    return this.engine?.labels?.get(image);
  }

  /** Each base image whose tag now points elsewhere than the lock says. */
  drifted(): readonly Drift[] {
    if (this.drift !== undefined) return this.drift;
    const locked = [...this.envs()]
      .map((env) => ({ env, bases: this.locked(env)?.bases ?? {} }))
      .filter((l) => Object.keys(l.bases).length > 0);
    const now = locked.length === 0 ? undefined : this.ids();
    const drift: Drift[] = [];
    for (const { env, bases } of locked) {
      for (const [ref, from] of Object.entries(bases)) {
        const to = now?.get(ref);
        if (typeof to === 'string' && to !== from) drift.push({ env, ref, from, to });
      }
    }
    this.drift = drift;
    return drift;
  }

  /** The lock changed: what was asked of the engine is asked again. */
  forget(): void {
    this.drift = undefined;
    this.engine = undefined;
  }
}
