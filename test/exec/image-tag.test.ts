import { describe, expect, it } from 'vitest';
import { imageTag } from '../../src/exec/docker/image-names.js';

/** What the engine takes as a repository name: lowercase components joined by `.`, `_`, `__` or dashes. */
const REPO = /^shark-env\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*:[0-9a-f]{16}$/;

describe('the tag of an environment\'s image', () => {
  it('is a reference the engine takes for every name check accepts (tools-, x..y, -_x built with invalid reference format)', () => {
    const hash = `sha256:${'ab'.repeat(32)}`;
    for (const name of ['tools-', 'x..y', '-_x', 'a-_b', 'GDAL', 'r.env', 'py_3', 'a__b', 'a---b', 'naïve', '___']) expect(imageTag(name, hash), name).toMatch(REPO);
    // A name that already was one is kept: its images are found again, not built anew.
    expect(['r.env', 'py_3', 'a__b', 'a---b'].map((n) => imageTag(n, hash).split(':')[0])).toEqual(['shark-env/r.env', 'shark-env/py_3', 'shark-env/a__b', 'shark-env/a---b']);
  });

  it('differs for names that differ only in case or separators: each environment has its own image', () => {
    const hash = `sha256:${'ab'.repeat(32)}`;
    const names = ['gdal', 'GDAL', 'Gdal', 'x..y', 'x-y', 'x.y', 'tools', 'tools-'];
    expect(new Set(names.map((n) => imageTag(n, hash))).size).toBe(names.length);
  });
});
