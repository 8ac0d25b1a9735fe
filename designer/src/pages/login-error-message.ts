import type { TFunction } from 'i18next';
import { isApiError } from '../api/api-error';

/** The sentence shown above the login form for a failed attempt. */
export function loginErrorMessage(t: TFunction, e: unknown): string {
  if (!isApiError(e)) return t('login.failed', { message: String(e) });
  switch (e.code) {
    case 'UNAUTHENTICATED':
      return t('login.invalidCredentials');
    case 'RATE_LIMITED':
      return t('login.rateLimited', { count: Math.max(1, Math.ceil((e.retryAfterSeconds ?? 900) / 60)) });
    case 'NETWORK':
      return t('login.network');
    default:
      return t('login.failed', { message: e.message });
  }
}
