/** JSON schemas shared by the routes (validated by Fastify, published in /api/openapi.json). */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
  additionalProperties: false,
} as const;

export const pageQuery = {
  page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
} as const;

export const text = (max = 200) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

export const TARGET_NAME = { type: 'string', minLength: 1, maxLength: 200 } as const;
export const TAGS = { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^;,\\s]+$' } } as const;
/** Five whitespace-separated cron fields of the usual characters (the worker's parser checks the values). */
export const CRON = { type: ['string', 'null'], maxLength: 200, pattern: '^\\s*\\S+(\\s+\\S+){4}\\s*$' } as const;
export const WINDOW = { type: ['string', 'null'], maxLength: 100 } as const;
/** PEM private keys (OpenSSH, RSA, EC, ...) as text. */
export const SSH_KEY = { type: 'string', minLength: 1, maxLength: 32_768 } as const;
export const KNOWN_HOSTS = { type: 'string', minLength: 1, maxLength: 262_144 } as const;
