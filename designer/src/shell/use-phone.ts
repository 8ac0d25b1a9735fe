import { useMediaQuery } from './use-media-query';

/** Below this width lists become cards and the record page one column (docs/mobile.md). */
export const PHONE = '(max-width: 639px)';

/** Whether the screen is phone-sized; follows rotation and resizing. */
export function usePhone(): boolean {
  return useMediaQuery(PHONE);
}
