/** `?name=` of a raw-body file upload: the file's name. */
export const fileNameQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

/** A raw-body upload as the file services take it: its name, its bytes (none: empty), its declared type. */
export function uploadOf(request: {
  query: { name: string };
  body: unknown;
  headers: { 'content-type'?: string | undefined };
}): {
  name: string;
  data: Buffer;
  contentType?: string;
} {
  const type = request.headers['content-type'];
  return {
    name: request.query.name,
    data: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    ...(type ? { contentType: type } : {}),
  };
}
