import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';

const requireHere = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded on its first use rather than with the module that names it: large
 * libraries only a few requests need (exceljs, for Excel files) then cost nothing to a server or a
 * test process that never serves those requests. The value is the module's `module.exports`, what a
 * default import of it gives.
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireHere(id) as T;
    return loaded;
  };
}

/** exceljs (record exports and report downloads as .xlsx). */
export const excel = lazyModule<typeof ExcelJS>('exceljs');
