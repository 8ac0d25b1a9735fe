// Draws the app's install icons (PNG, as Chromium's install criteria want them) from the favicon's
// shapes with the system chromium, so the icons never drift from the logo. Run by hand after a logo
// change: `node designer/scripts/make-icons.mjs`; the PNGs are committed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const out = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'public', 'icons');
const LOGO = 'M10 8h13v4h-8.5v3.5H21v4h-6.5V24H10z';
// "any": the rounded tile of the favicon. "maskable": a full-bleed square whose logo sits inside the
// central 80 % safe zone, because the launcher crops it to its own shape (circle, squircle…).
const any = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4338ca"/><path d="${LOGO}" fill="#fff"/></svg>`;
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="#4338ca"/><g transform="translate(16 16) scale(0.7) translate(-16 -16)"><path d="${LOGO}" fill="#fff"/></g></svg>`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  for (const [name, svg] of [
    ['icon', any],
    ['maskable', maskable],
  ]) {
    for (const size of [192, 512]) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      await page.setContent(
        `<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`,
      );
      await page.screenshot({ path: path.join(out, `${name}-${size}.png`), omitBackground: true });
      await page.close();
    }
  }
} finally {
  await browser.close();
}
