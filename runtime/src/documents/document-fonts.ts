import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Noto Sans SC (SIL OFL 1.1) from an npm package: it covers Chinese and Latin, so one family prints
 * both. PDFKit embeds only the glyphs a document uses, so a one-page PDF stays small although the
 * fonts are ~10 MB each. Read once per process.
 */
const FILES = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
} as const;

let cached: { regular: Buffer; bold: Buffer } | undefined;

export function documentFonts(): { regular: Buffer; bold: Buffer } {
  cached ??= {
    regular: fs.readFileSync(require.resolve(FILES.regular)),
    bold: fs.readFileSync(require.resolve(FILES.bold)),
  };
  return cached;
}
