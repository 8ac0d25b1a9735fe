import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Screenshots land here (git-ignored) so people and reviewers can look at what the tests saw. */
export const SCREENSHOT_DIR = path.resolve(fileURLToPath(new URL('../screenshots', import.meta.url)));

/**
 * Saves `<name>.png` and returns its path. Full page by default; pass `fullPage: false` while a modal
 * or menu is open (they are positioned against the viewport, which a full-page capture stretches).
 */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`Screenshot names are kebab-case: ${name}`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Let web fonts finish so CJK and Latin text render as a user would see them.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? true, animations: 'disabled' });
  return file;
}
