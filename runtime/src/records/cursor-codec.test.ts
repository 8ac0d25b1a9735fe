import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CursorSigner, decodeCursor, encodeCursor } from './cursor-codec';

const signer = (key: string): CursorSigner => ({
  sign: async (_name, data) => createHmac('sha256', key).update(data).digest('base64url'),
  verify: async (_name, data, sig) => createHmac('sha256', key).update(data).digest('base64url') === sig,
});

describe('cursor codec', () => {
  it('round-trips the sort and the last row values', async () => {
    const c = await encodeCursor(signer('k'), { s: '-amount,id', v: ['12.5', null] });
    expect(await decodeCursor(signer('k'), c, '-amount,id')).toEqual({ s: '-amount,id', v: ['12.5', null] });
  });

  it('refuses another sort, another key, edits and garbage', async () => {
    const c = await encodeCursor(signer('k'), { s: 'name,id', v: ['a', 'b'] });
    await expect(decodeCursor(signer('k'), c, '-name,id')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(decodeCursor(signer('other'), c, 'name,id')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const [data, sig] = c.split('.');
    const forged = Buffer.from(JSON.stringify({ s: 'name,id', v: ['z', 'b'] })).toString('base64url');
    for (const bad of [`${forged}.${sig}`, `${data}.`, data!, '.', '', 'x'.repeat(9000)]) {
      await expect(decodeCursor(signer('k'), bad, 'name,id')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    const wrongShape = await encodeCursor(signer('k'), { s: 'name,id', v: [1 as unknown as string] });
    await expect(decodeCursor(signer('k'), wrongShape, 'name,id')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
