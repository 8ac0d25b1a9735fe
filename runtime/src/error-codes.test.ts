import type { ErrorCode as ContractCode } from '@forma/metadata/api-types';
import { describe, expect, it } from 'vitest';
import apiSchema from '../../metadata/schemas/api.schema.json';
import { AppError, type ErrorCode } from './errors';

describe('error codes', () => {
  it('are the ones the API contract (metadata/schemas/api.schema.json) declares, each with its status', () => {
    // Both directions at compile time: a code added on one side only fails the typecheck.
    const same: [ErrorCode] extends [ContractCode] ? ([ContractCode] extends [ErrorCode] ? true : false) : false = true;
    expect(same).toBe(true);
    for (const code of apiSchema.$defs.errorCode.enum as ErrorCode[]) {
      const status = new AppError(code, 'x').status;
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
  });
});
