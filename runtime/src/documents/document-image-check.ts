import { validationFailed } from '../errors';

export type DocumentImageType = 'image/png' | 'image/jpeg';

export interface ImageInfo {
  contentType: DocumentImageType;
  width: number;
  height: number;
}

/** Larger images are refused: a logo or a stamp, not a photo album (and PDFKit decodes PNGs with alpha in memory). */
export const MAX_IMAGE_SIDE = 4096;
export const MAX_IMAGE_PIXELS = 8_000_000;

/**
 * The type and pixel size of a PNG or JPEG, read from its header without decoding it. Anything else
 * (another type, a truncated header, more pixels than a document needs) is refused with 400: a
 * small file can declare a huge image, and drawing it is what would cost memory.
 */
export function imageInfo(bytes: Buffer): ImageInfo {
  const info = pngInfo(bytes) ?? jpegInfo(bytes);
  if (!info) throw validationFailed('Document images are PNG or JPEG files', { file: 'not a PNG or JPEG image' });
  if (info.width < 1 || info.height < 1) throw validationFailed('The image has no pixels', { file: 'empty image' });
  if (info.width > MAX_IMAGE_SIDE || info.height > MAX_IMAGE_SIDE || info.width * info.height > MAX_IMAGE_PIXELS)
    throw validationFailed(`The image is ${info.width} × ${info.height} pixels: at most ${MAX_IMAGE_SIDE} on a side`, {
      file: `at most ${MAX_IMAGE_SIDE} × ${MAX_IMAGE_SIDE} pixels`,
    });
  return info;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngInfo(b: Buffer): ImageInfo | undefined {
  // Signature, then the IHDR chunk first: length (4), "IHDR" (4), width (4), height (4).
  if (b.length < 24 || !b.subarray(0, 8).equals(PNG_SIGNATURE) || b.toString('latin1', 12, 16) !== 'IHDR')
    return undefined;
  return { contentType: 'image/png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function jpegInfo(b: Buffer): ImageInfo | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  // Walk the markers to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC), which holds the size.
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    const length = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { contentType: 'image/jpeg', height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    if (length < 2) return undefined;
    i += 2 + length;
  }
  return undefined;
}
