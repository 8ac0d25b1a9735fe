import type { ErrorCode } from '@forma/metadata/api-types';

/** Error codes the server sends (its contract, metadata/schemas/api.schema.json), plus two the client produces itself. */
export type ApiErrorCode =
  | ErrorCode
  /** The request never got an answer (offline, server down, CORS, aborted by a proxy). */
  | 'NETWORK'
  /** An answer that is not our error shape (e.g. a proxy's HTML error page). */
  | 'UNEXPECTED';

/**
 * The codes screens branch on; the others (`DUPLICATE`, `SCRIPT_BUSY`) are read by their status
 * (409 → CONFLICT, 429 → RATE_LIMITED), as screens already handle those.
 */
const KNOWN: ReadonlySet<string> = new Set<ErrorCode>([
  'VALIDATION_FAILED',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RECORD_LOCKED',
  'TOO_LARGE',
  'SCRIPT_FAILED',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
]);

const BY_STATUS: Record<number, ApiErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'TOO_LARGE',
  422: 'SCRIPT_FAILED',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

export type FieldErrors = Record<string, string>;

/** Every failed API call rejects with this, so screens branch on `code` instead of parsing text. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** HTTP status; 0 when there was no answer. */
  readonly status: number;
  readonly fields: FieldErrors | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** From Retry-After on 429/503, so the UI can say how long to wait. */
  readonly retryAfterSeconds: number | undefined;
  readonly requestId: string | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    opts: {
      status?: number;
      fields?: FieldErrors;
      details?: Record<string, unknown>;
      retryAfterSeconds?: number;
      requestId?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = opts.status ?? 0;
    this.fields = opts.fields;
    this.details = opts.details;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.requestId = opts.requestId;
  }
}

export function isApiError(e: unknown, code?: ApiErrorCode): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

function stringRecord(v: unknown): FieldErrors | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: FieldErrors = {};
  for (const [k, m] of Object.entries(v)) if (typeof m === 'string') out[k] = m;
  return Object.keys(out).length ? out : undefined;
}

function retryAfterOf(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * Turns a non-2xx answer into an ApiError. Trusts the body's code only when it is one we know, so a
 * proxy's or a future server's surprise still yields something the UI can branch on.
 */
export function apiErrorFromResponse(status: number, headers: Headers, body: unknown): ApiError {
  const err = (body as { error?: Record<string, unknown> } | null)?.error;
  const given = typeof err?.code === 'string' ? err.code : undefined;
  const code: ApiErrorCode = given && KNOWN.has(given) ? (given as ApiErrorCode) : (BY_STATUS[status] ?? 'UNEXPECTED');
  const message =
    typeof err?.message === 'string' && err.message ? err.message : `Request failed with status ${status}`;
  const fields = stringRecord(err?.fields);
  const details =
    err?.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : undefined;
  const retryAfterSeconds = retryAfterOf(headers.get('retry-after'));
  const requestId = headers.get('x-request-id') ?? undefined;
  return new ApiError(code, message, {
    status,
    ...(fields ? { fields } : {}),
    ...(details ? { details } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(requestId ? { requestId } : {}),
  });
}
