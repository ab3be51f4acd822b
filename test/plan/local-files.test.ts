import { describe, expect, it } from 'vitest';
import { keyedDirectory } from '../../src/plan/local-files.js';

const none = { steps: [] };

describe('which local directories a step keys on', () => {
  it('not the system\'s, reached through `..` or a link, unless the project itself lives there', () => {
    expect(keyedDirectory(none, '/home/me/proj', '/home/me/proj/.shark', '/usr/share')).toBe(false);
    expect(keyedDirectory(none, '/home/me/proj', '/home/me/proj/.shark', '/home/me/proj/tmpl')).toBe(true);
    expect(keyedDirectory(none, '/opt/work/proj', '/opt/work/proj/.shark', '/opt/work/proj/tmpl')).toBe(true);
    expect(keyedDirectory(none, '/opt/work/proj', '/opt/work/proj/.shark', '/usr/lib')).toBe(false);
  });

  it('not the document\'s own directory or one above it, nor the store or a publish directory', () => {
    expect(keyedDirectory(none, '/home/me/proj', '/home/me/proj/.shark', '/home/me/proj')).toBe(false);
    expect(keyedDirectory(none, '/home/me/proj', '/home/me/proj/.shark', '/home/me')).toBe(false);
    expect(keyedDirectory(none, '/home/me/proj', '/home/me/proj/.shark', '/home/me/proj/.shark/objects')).toBe(false);
    expect(keyedDirectory(none, '/home/me/proj', '/home/me/proj/.shark', '/home/me/proj/_shark')).toBe(false);
    expect(keyedDirectory(none, '/home/me/proj', '/home/me/proj/.shark', '/home/me/shared/tmpl')).toBe(true);
  });
});
