/**
 * Typed errors with a stable code and HTTP status. Runtime services throw these; the platform's one
 * error handler turns them into `{ error: { code, message, fields? } }` without knowing their origin.
 */
// The codes are the API contract's (metadata/schemas/api.schema.json): one list for the server and the web app.
import type { ErrorCode } from '@forma/metadata/api-types';

export type { ErrorCode };

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RECORD_LOCKED: 409,
  DUPLICATE: 409,
  TOO_LARGE: 413,
  /** The request body arrived too slowly (runtime/src/records/spool-input.ts). */
  REQUEST_TIMEOUT: 408,
  SCRIPT_FAILED: 422,
  RATE_LIMITED: 429,
  SCRIPT_BUSY: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

import { type FieldErrorCodes, fieldErrorText } from './field-error-codes';

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields?: FieldErrors;
  /**
   * `{code, params}` of (some of) `fields`, sent as `details.fieldErrors` so clients can translate
   * them; a field without one is only described by its English text.
   */
  fieldCodes?: FieldErrorCodes;
  /** Extra machine-readable details (e.g. offending node ids, dependency lists). */
  readonly details?: Record<string, unknown>;
  /**
   * Details for tenant admins only (a script's logs): merged into `details` by `toJSON({admin})`,
   * never shown to other users, who get the message and the public details.
   */
  readonly adminDetails?: Record<string, unknown>;
  /** Response headers the error implies (e.g. Retry-After). */
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: {
      fields?: FieldErrors;
      fieldCodes?: FieldErrorCodes;
      details?: Record<string, unknown>;
      adminDetails?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS[code];
    if (opts.fields) this.fields = opts.fields;
    if (opts.fieldCodes && Object.keys(opts.fieldCodes).length) this.fieldCodes = opts.fieldCodes;
    if (opts.details) this.details = opts.details;
    if (opts.adminDetails) this.adminDetails = opts.adminDetails;
    if (opts.headers) this.headers = opts.headers;
  }

  /** The error body; `admin` adds the admin-only details. */
  toJSON(opts: { admin?: boolean } = {}): {
    code: ErrorCode;
    message: string;
    fields?: FieldErrors;
    details?: Record<string, unknown>;
  } {
    let details = opts.admin && this.adminDetails ? { ...this.details, ...this.adminDetails } : this.details;
    const fields = this.fields;
    if (this.fieldCodes && fields) {
      const fieldErrors = Object.fromEntries(Object.entries(this.fieldCodes).filter(([k]) => k in fields));
      if (Object.keys(fieldErrors).length) details = { ...details, fieldErrors };
    }
    return {
      code: this.code,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
      ...(details ? { details } : {}),
    };
  }
}

export const validationFailed = (
  message: string,
  fields?: FieldErrors,
  details?: Record<string, unknown>,
  fieldCodes?: FieldErrorCodes,
) =>
  new AppError('VALIDATION_FAILED', message, {
    ...(fields ? { fields } : {}),
    ...(details ? { details } : {}),
    ...(fieldCodes ? { fieldCodes } : {}),
  });
/** A 400 whose field errors are all codes: `fields` gets their English text. */
export const invalidFields = (message: string, codes: FieldErrorCodes, extra: FieldErrors = {}) =>
  validationFailed(
    message,
    { ...extra, ...Object.fromEntries(Object.entries(codes).map(([k, c]) => [k, fieldErrorText(c)])) },
    undefined,
    codes,
  );
export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError('BAD_REQUEST', message, details ? { details } : {});
export const unauthenticated = (message = 'Authentication required') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Not allowed', fields?: FieldErrors) =>
  new AppError('FORBIDDEN', message, fields ? { fields } : {});
export const notFound = (message = 'Not found') => new AppError('NOT_FOUND', message);
export const conflict = (message: string, details?: Record<string, unknown>, fields?: FieldErrors) =>
  new AppError('CONFLICT', message, { ...(details ? { details } : {}), ...(fields ? { fields } : {}) });
export const recordLocked = (message = 'The record is pending approval and cannot be edited') =>
  new AppError('RECORD_LOCKED', message);
/** A new record matches an object's duplicate rules; `details.duplicates` lists the candidates. */
export const duplicateFound = (message: string, details: Record<string, unknown>) =>
  new AppError('DUPLICATE', message, { details });
export const tooLarge = (message = 'Request too large') => new AppError('TOO_LARGE', message);
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', message, {
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
/** The tenant's script calls are already running and queued: try again after `retryAfterSeconds`. */
export const scriptBusy = (message: string, retryAfterSeconds: number) =>
  new AppError('SCRIPT_BUSY', message, {
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
/**
 * Something the request needs (the database, a worker pool, an index) is not there right now; the
 * client should retry after `retryAfterSeconds`. Answered 503 with Retry-After.
 */
export const unavailable = (message: string, retryAfterSeconds = 5, details?: Record<string, unknown>) =>
  new AppError('UNAVAILABLE', message, {
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    ...(details ? { details } : {}),
  });
export const scriptFailed = (
  message: string,
  details?: Record<string, unknown>,
  fields?: FieldErrors,
  adminDetails?: Record<string, unknown>,
) =>
  new AppError('SCRIPT_FAILED', message, {
    ...(details ? { details } : {}),
    ...(fields ? { fields } : {}),
    ...(adminDetails ? { adminDetails } : {}),
  });

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
