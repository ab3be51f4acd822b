import type { ImportSource } from '../pipeline/import-clause.js';
import { FileImporter } from './file-importer.js';
import type { Importer } from './importer.js';

/** The importer for each source scheme. */
export function importerFor(source: ImportSource): Importer | undefined {
  switch (source.scheme) {
    case 'file':
      return new FileImporter();
    default:
      return undefined;
  }
}
