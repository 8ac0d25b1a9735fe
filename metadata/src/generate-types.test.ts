import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_API_TYPES_FILE, GENERATED_TYPES_FILE, generateApiTypes, generateTypes } from './generate-types';

describe('generated metadata types', () => {
  it('match the schema files (run `npm run gen:types -w @forma/metadata` when this fails)', async () => {
    expect(fs.readFileSync(GENERATED_TYPES_FILE, 'utf8')).toBe(await generateTypes());
  });

  it('API answer types match schemas/api.schema.json (same command when this fails)', async () => {
    expect(fs.readFileSync(GENERATED_API_TYPES_FILE, 'utf8')).toBe(await generateApiTypes());
  });
});
