import type { ImportSource } from '../pipeline/import-clause.js';
import { FileImporter } from './file-importer.js';
import { GitImporter } from './git.js';
import { GitHubImporter } from './github.js';
import type { Importer } from './importer.js';
import { UrlImporter } from './url.js';
import { ZenodoImporter } from './zenodo.js';

/**
 * The importer for each source scheme. Base URLs come from the environment so
 * that mirrors (and tests) can stand in for Zenodo and GitHub.
 */
export function importerFor(source: ImportSource, env: NodeJS.ProcessEnv = process.env): Importer {
  switch (source.scheme) {
    case 'file':
      return new FileImporter();
    case 'zenodo':
      return new ZenodoImporter(nonEmpty(env.SHARK_ZENODO_URL) ?? 'https://zenodo.org');
    case 'github':
      return new GitHubImporter(nonEmpty(env.SHARK_GITHUB_API_URL) ?? 'https://api.github.com', nonEmpty(env.SHARK_GITHUB_TOKEN) ?? nonEmpty(env.GITHUB_TOKEN));
    case 'git':
      return new GitImporter();
    case 'url':
      return new UrlImporter();
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
