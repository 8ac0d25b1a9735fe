/**
 * The shapes of shared/API.md's metadata document as the app reads them. Deliberately loose: the
 * metadata package owns the full meta-schema; the app only relies on these keys.
 */

/** Per-language overrides: `{"zh-CN": {"title": "金额", "enum": {"won": "赢单"}}}`. */
export type I18nLabels = Record<string, Record<string, unknown>>;

export interface FieldSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  format?: string;
  enum?: unknown[];
  'x-kind'?: string;
  'x-ref'?: string;
  'x-i18n'?: I18nLabels;
  [key: string]: unknown;
}

export interface ObjectSchema {
  title?: string;
  description?: string;
  type?: string;
  properties?: Record<string, FieldSchema>;
  required?: string[];
  'x-label-field'?: string;
  'x-i18n'?: I18nLabels;
  /** Optional lucide icon name for navigation, e.g. "handshake". */
  'x-icon'?: string;
  [key: string]: unknown;
}

export interface AppMeta {
  version: number;
  objects: Record<string, ObjectSchema>;
  [key: string]: unknown;
}
