import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_TYPES_FILE, generateTypes } from './generate-types';

describe('generated metadata types', () => {
  it('match the schema files (run `npm run gen:types -w @forma/metadata` when this fails)', async () => {
    expect(fs.readFileSync(GENERATED_TYPES_FILE, 'utf8')).toBe(await generateTypes());
  });
});
