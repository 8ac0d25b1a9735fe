import type { Readable } from 'node:stream';
import type { DocumentService } from '../documents/document-service';
import type { FileMeta, FileService } from '../documents/file-service';
import type { Ctx } from '../ctx';

export interface DocumentServices {
  documents: Pick<DocumentService, 'print'>;
  files: Pick<FileService, 'upload'>;
}

/**
 * The `document` action of automation rules and workflow action nodes: prints the record with an
 * HTML print template to PDF and attaches the PDF to the record as a file, in the caller's
 * transaction (so the file exists exactly when the run or transition that made it committed).
 */
export async function attachDocument(
  services: DocumentServices,
  ctx: Ctx,
  object: string,
  id: string,
  template: string,
  fileName?: string,
): Promise<FileMeta> {
  const { pdf, filename } = await services.documents.print(ctx, object, id, template);
  const name = fileName ?? filename;
  return services.files.upload(ctx, object, id, {
    name: name.toLowerCase().endsWith('.pdf') ? name : `${name}.pdf`,
    data: await collect(pdf),
    contentType: 'application/pdf',
  });
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
