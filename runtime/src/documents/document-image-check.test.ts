import { describe, expect, it } from 'vitest';
import { imageInfo } from './document-image-check';
import { imageSources } from './document-images';
import { htmlToBlocks } from './html-to-pdf';

/** A JPEG header: SOI, an APP0 segment, then a baseline start-of-frame holding the size. */
function jpegHeader(width: number, height: number, frame = 0xc0): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, frame, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(16)]);
}

describe('imageInfo', () => {
  it('reads a JPEG size from its start-of-frame, baseline or progressive, past other segments', () => {
    expect(imageInfo(jpegHeader(640, 480))).toEqual({ contentType: 'image/jpeg', width: 640, height: 480 });
    expect(imageInfo(jpegHeader(300, 200, 0xc2))).toMatchObject({ width: 300, height: 200 });
  });
  it('refuses a huge JPEG, a truncated one, and anything that is neither PNG nor JPEG', () => {
    expect(() => imageInfo(jpegHeader(5000, 100))).toThrow(/5000 × 100/);
    expect(() => imageInfo(jpegHeader(3000, 3000))).toThrow(/at most/);
    expect(() => imageInfo(Buffer.from([0xff, 0xd8, 0xff]))).toThrow(/PNG or JPEG/);
    expect(() => imageInfo(Buffer.from('%PDF-1.7'))).toThrow(/PNG or JPEG/);
  });
});

describe('images in templates', () => {
  it('finds image names and other sources; placeholders are the record’s text, not images', () => {
    expect(imageSources('<img src="image:logo"><p><img src=\'image:stamp\'></p><img src="{{photo}}">')).toEqual({
      names: ['logo', 'stamp'],
      others: [],
    });
    expect(imageSources('<img src="http://x/y.png"><img>').others).toEqual(['http://x/y.png', '']);
  });
  it('an image is a block of its own with its size in points and alignment; a URL draws nothing', () => {
    const blocks = htmlToBlocks(
      '<p>Dear <img src="image:logo" width="100" align="center"> customer</p><img src="https://x">',
    );
    expect(blocks.map((b) => b.kind)).toEqual(['para', 'image', 'para']);
    expect(blocks[1]).toEqual({ kind: 'image', name: 'logo', width: 75, align: 'center' });
  });
});
