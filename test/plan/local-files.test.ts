import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { RunStep } from '../../src/pipeline/pipeline.js';
import { keyedDirectory, namedLocalFiles } from '../../src/plan/local-files.js';

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

describe('which local files a step keys on', () => {
  it('a host step\'s, never a container step\'s: it sees its image\'s files (an edit of the host\'s notes.txt re-ran it)', () => {
    const { pipeline } = loadPipeline('p.md', '```shark-build:env\nFROM busybox\n```\n\n```shark-run:env {id=c}\ncat ./notes.txt /etc/x.conf > /data/n.txt\n```\n\n'
      + '```shark-run {id=h}\ncat ./notes.txt /etc/x.conf /proc/cpuinfo > /data/h.txt\n```\n');
    const [c, h] = ['c', 'h'].map((id) => pipeline!.stepsById.get(id) as RunStep);
    expect(namedLocalFiles('/home/me/proj', c!)).toEqual([]);
    expect(namedLocalFiles('/home/me/proj', h!)).toEqual(['notes.txt', '/etc/x.conf']);
  });
});
