import { afterAll, describe, expect, it } from 'vitest';
import { docxOf } from '../../../tests/support/docx';
import { AppError } from '../errors';
import { DocumentWorkers, workerData } from './document-workers';

const workers = new DocumentWorkers({ threads: 2, timeoutMs: 60_000, queue: 1000 });
const slow = new DocumentWorkers({ threads: 1, timeoutMs: 300, queue: 10 });
afterAll(async () => {
  await workers.close();
  await slow.close();
});

const docx = (body: string) => docxOf(body, { compress: true });

/** A template that takes a worker a while: many paragraphs with tags. */
const heavy = docx('<w:p><w:r><w:t>{name} {account} {amount}</w:t></w:r></w:p>'.repeat(3000));

describe('DocumentWorkers', () => {
  it('fills a Word template in a worker, lookups printing as their label', async () => {
    const account = { id: 'a1', name: 'Acme' };
    Object.defineProperty(account, 'toString', { value: () => 'Acme', enumerable: false });
    const text = await workers.run<string>('t1', {
      kind: 'word-render',
      docx: docx('<w:p><w:r><w:t>Dear {name} of {account} ({account.id})</w:t></w:r></w:p>'),
      data: workerData({ name: 'Ann', account }),
      text: true,
    });
    expect(text).toBe('Dear Ann of Acme (a1)');
  });

  it('throws the AppErrors of the worker as they are: a broken tag is 400, a ZIP bomb 413', async () => {
    const broken = workers.run('t1', { kind: 'word-tags', docx: docx('<w:p><w:r><w:t>{#open}</w:t></w:r></w:p>') });
    await expect(broken).rejects.toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    const bomb = docx(`<w:p><w:r><w:t>${'a'.repeat(20 * 1024 * 1024)}</w:t></w:r></w:p>`);
    await expect(workers.run('t1', { kind: 'word-tags', docx: bomb })).rejects.toMatchObject({
      code: 'TOO_LARGE',
      status: 413,
    });
  });

  it('one tenant’s long merge does not starve another tenant’s single document', async () => {
    // Both threads started first: a busy machine's slow thread start-up is not what this measures.
    const light = docx('<w:p><w:r><w:t>{x}</w:t></w:r></w:p>');
    await Promise.all(['w1', 'w2'].map((t) => workers.run(t, { kind: 'word-tags', docx: light })));
    const done: string[] = [];
    const merge = Array.from({ length: 8 }, (_, i) =>
      workers
        .run('big', { kind: 'word-render', docx: heavy, data: workerData({ name: `n${i}`, amount: i }) })
        .then(() => done.push('big')),
    );
    const single = workers
      .run('small', { kind: 'word-render', docx: heavy, data: workerData({ name: 'one' }) })
      .then(() => done.push('small'));
    await Promise.all([...merge, single]);
    // It ran beside the merge (one thread stays free for others), not after it.
    expect(done.indexOf('small')).toBeLessThan(done.length - 4);
  }, 120_000);

  it('stops a document past its time limit with 503 and a clear message, and keeps working', async () => {
    const e = await slow.run('t1', { kind: 'word-tags', docx: heavy }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({ code: 'UNAVAILABLE', status: 503, headers: { 'retry-after': '5' } });
    expect((e as AppError).message).toMatch(/took longer than 0 s and was stopped/);
    const light = docx('<w:p><w:r><w:t>{x}</w:t></w:r></w:p>');
    const slowTimeout = new DocumentWorkers({ threads: 1, timeoutMs: 60_000, queue: 10 });
    try {
      expect(await slowTimeout.run('t1', { kind: 'word-tags', docx: light })).toEqual({ x: {} });
    } finally {
      await slowTimeout.close();
    }
  });

  it('refuses past a tenant’s queue with 503 at once', async () => {
    const tiny = new DocumentWorkers({ threads: 1, timeoutMs: 60_000, queue: 2 });
    try {
      const jobs = Array.from({ length: 4 }, () =>
        tiny.run('t1', { kind: 'word-tags', docx: heavy }).then(
          () => 'ok',
          (e: AppError) => e.code,
        ),
      );
      // One running, two waiting, the fourth refused.
      expect(await jobs[3]).toBe('UNAVAILABLE');
      expect(await Promise.all(jobs.slice(0, 3))).toEqual(['ok', 'ok', 'ok']);
    } finally {
      await tiny.close();
    }
  }, 120_000);
});
