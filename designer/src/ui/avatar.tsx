import { cx } from './cx';
import './avatar.css';

const PALETTE = ['#4338ca', '#0f766e', '#b45309', '#be185d', '#1d4ed8', '#7c3aed', '#15803d', '#9f1239'];

/** Up to two initials from a name ("Ada Lovelace" → "AL", "张伟" → "张"). */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = [...words[0]!][0] ?? '?';
  const last = words.length > 1 ? ([...words[words.length - 1]!][0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** A stable colour per name, so the same person always looks the same. */
export function colorOf(seed: string): string {
  let h = 0;
  for (const ch of seed) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export function Avatar({
  name,
  size = 32,
  square,
  className,
}: {
  name: string;
  size?: number;
  square?: boolean;
  className?: string;
}) {
  return (
    <span
      className={cx('f-avatar', square && 'f-avatar--square', className)}
      style={{ width: size, height: size, fontSize: Math.round(size * 0.4), background: colorOf(name) }}
      aria-hidden="true"
    >
      {initialsOf(name)}
    </span>
  );
}
