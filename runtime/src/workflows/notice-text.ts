/**
 * Notifications and their e-mails are written once, for one person, so they are written in that
 * person's language (`users.locale`, set by them in the web app or by an admin): English unless
 * the preference is Chinese. Object and step labels come from the metadata's `x-i18n`.
 */
export type NoticeLocale = 'en' | 'zh-CN';

export function noticeLocale(pref: unknown): NoticeLocale {
  return typeof pref === 'string' && pref.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/**
 * `noticeLocale` as SQL over a `users.locale` column, for notices whose recipient's language is read
 * by the statement that writes them (notify.ts `noticeCtes`). Keep the two in step.
 */
export const NOTICE_LOCALE_SQL = (column: string): string =>
  `case when lower(${column}) like 'zh%' then 'zh-CN' else 'en' end`;

/** Every notice language, for texts written in all of them (the recipient's is chosen in SQL). */
export const NOTICE_LOCALES: readonly NoticeLocale[] = ['en', 'zh-CN'];

type I18n = Record<string, Record<string, unknown>> | undefined;

/** A metadata label in `locale`: `x-i18n[locale]` (`label` or `title`), else the English one. */
export function localLabel(english: string, i18n: I18n, locale: NoticeLocale): string {
  if (locale === 'en' || !i18n) return english;
  const entry = i18n[locale] ?? i18n[locale.toLowerCase()] ?? i18n[locale.split('-')[0]!];
  for (const key of ['label', 'title']) {
    const v = entry?.[key];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return english;
}

const TEXTS = {
  en: {
    taskTitle: (what: string, step: string) => `Approval needed: ${what} (${step})`,
    taskSubject: (what: string) => `Approval needed: ${what}`,
    taskBody: (what: string, step: string, approve: string, reject: string) =>
      `${what} waits for your decision at step "${step}".\n\nApprove: ${approve}\nReject: ${reject}\n`,
    outcome: (what: string, outcome: 'approved' | 'rejected') => `${what} was ${outcome}`,
  },
  'zh-CN': {
    taskTitle: (what: string, step: string) => `待审批：${what}（${step}）`,
    taskSubject: (what: string) => `待审批：${what}`,
    taskBody: (what: string, step: string, approve: string, reject: string) =>
      `${what} 正在“${step}”步骤等待您的审批。\n\n批准：${approve}\n拒绝：${reject}\n`,
    outcome: (what: string, outcome: 'approved' | 'rejected') =>
      `${what} ${outcome === 'approved' ? '已获批准' : '已被拒绝'}`,
  },
} as const;

export function noticeTexts(locale: NoticeLocale) {
  return TEXTS[locale];
}
