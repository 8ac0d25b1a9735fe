/** Shared pieces of route schemas (also the OpenAPI document's components). */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        fields: { type: 'object', additionalProperties: { type: 'string' } },
        details: { type: 'object', additionalProperties: true },
        requestId: { type: 'string' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

export const uuidParam = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** Standard error responses, so the OpenAPI document lists them for every route. */
export function errors<S extends number>(...statuses: S[]): { [K in S]: typeof errorSchema } {
  return Object.fromEntries(statuses.map((s) => [s, errorSchema])) as { [K in S]: typeof errorSchema };
}

export const bearer = [{ bearerAuth: [] }];

export const noContent = { 204: { type: 'null', description: 'No content' } } as const;
