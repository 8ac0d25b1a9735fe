import type { Readable } from 'node:stream';
import { isAdminUser } from '../ctx';
import type { DocumentService } from '../documents/document-service';
import type { FileMeta, FileService } from '../documents/file-service';
import { notFound } from '../errors';
import { SYSTEM_TABLE, tableOf } from '../model/naming';
import { SYSTEM_USER_ID } from '../system-ctx';
import type { TxCtx } from '../tx/unit-of-work';
import { toSessionUser } from '../users/user-row';

export interface DocumentServices {
  documents: Pick<DocumentService, 'print' | 'printText'>;
  files: Pick<FileService, 'attachGenerated'>;
}

/**
 * The `document` action of automation rules and workflow action nodes: prints the record with an
 * HTML print template to PDF and attaches the PDF to the record as a file, in the caller's
 * transaction (so the file exists exactly when the run or transition that made it committed).
 *
 * The document is rendered with the permissions of the user who caused it (`author`: who saved the
 * record, who submitted the workflow), never as the system: it holds the fields that user may read,
 * hidden ones print blank, and a record outside their read scope is not printed at all (the action
 * fails). Work nobody caused (schedule rules) renders as the record's owner.
 */
export async function attachDocument(
  services: DocumentServices,
  ctx: TxCtx,
  object: string,
  id: string,
  template: string,
  opts: { author: string | null; fileName?: string },
): Promise<FileMeta> {
  const as = await authorCtx(ctx, object, id, opts.author);
  const { pdf, filename } = await services.documents.print(as, object, id, template);
  const name = opts.fileName ?? filename;
  return services.files.attachGenerated(as, object, id, {
    name: name.toLowerCase().endsWith('.pdf') ? name : `${name}.pdf`,
    data: await collect(pdf),
    contentType: 'application/pdf',
  });
}

/** The caller's transaction, acting as the author (or the record's owner when nobody is). */
export async function authorCtx(ctx: TxCtx, object: string, id: string, author: string | null): Promise<TxCtx> {
  let userId = author === SYSTEM_USER_ID ? null : author;
  if (!userId) {
    const row = await ctx.db.withSchema(ctx.schema).from(tableOf(object)).where('id', id).first('owner');
    userId = (row?.owner as string | null | undefined) ?? null;
  }
  const row = userId
    ? await ctx.db
        .withSchema(ctx.schema)
        .from(SYSTEM_TABLE.users)
        .where('id', userId)
        .first('id', 'email', 'name', 'roles', 'manager', 'locale')
    : undefined;
  if (!row) throw notFound('Nobody to render the document as: it is rendered as the user who caused it, or the owner');
  const user = toSessionUser(row);
  return { ...ctx, user, isAdmin: isAdminUser(user) };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
