import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's chromium (apt package `chromium`; CI installs it), never a browser downloaded by
 * Playwright. CHROMIUM_PATH points elsewhere on machines that keep it in another place.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags every browser test runs with: headless, no sandbox (containers), no background traffic. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches chromium with a fresh, temporary profile: Playwright's `launch` creates a new
 * `--user-data-dir` under the OS temp directory for every browser and deletes it on close, so no
 * state leaks between runs. Each test signs in through its own `browser.newContext()`.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
}
