export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** The subset of Web Storage used here, so tests can pass a Map-backed fake. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface UserKey {
  tenant: string;
  userId: string;
}

const DEVICE_KEY = 'forma.locale';
const userKey = (u: UserKey) => `forma.locale.${u.tenant}.${u.userId}`;

/** Maps browser and server language tags onto the languages the app ships (zh-Hans-CN → zh-CN). */
export function normalizeLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const t = tag.trim().toLowerCase();
  if (t === 'zh' || t.startsWith('zh-cn') || t.startsWith('zh-hans') || t === 'zh-sg') return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return undefined;
}

function read(store: KeyValueStore | undefined, key: string): Locale | undefined {
  try {
    return normalizeLocale(store?.getItem(key));
  } catch {
    // Storage can throw (privacy modes, quota): a preference is a nicety, never a failure.
    return undefined;
  }
}

/**
 * Which language to show. Signed in: the user's own choice on this device, then their profile's
 * locale, then the device's last choice; signed out: the device's last choice; then the browser's
 * languages; then English.
 */
export function resolveLocale(opts: {
  store?: KeyValueStore;
  browserLanguages?: readonly string[];
  user?: UserKey;
  profileLocale?: string | null;
}): Locale {
  const fromUser = opts.user ? read(opts.store, userKey(opts.user)) : undefined;
  const fromProfile = opts.user ? normalizeLocale(opts.profileLocale) : undefined;
  const fromDevice = read(opts.store, DEVICE_KEY);
  const fromBrowser = (opts.browserLanguages ?? []).map(normalizeLocale).find(Boolean);
  return fromUser ?? fromProfile ?? fromDevice ?? fromBrowser ?? 'en';
}

/** Remembers a choice for this user and as the device default (so the login page speaks it too). */
export function rememberLocale(store: KeyValueStore | undefined, locale: Locale, user?: UserKey): void {
  try {
    store?.setItem(DEVICE_KEY, locale);
    if (user) store?.setItem(userKey(user), locale);
  } catch {
    // See read(): ignore storage failures.
  }
}
