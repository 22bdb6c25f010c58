/**
 * The JSON Schema (draft 2020-12) of the report document, generated from the same zod schema `mamori report`
 * reads files with (src/core/document/schema.ts), so the two never disagree. Printed by `mamori schema` and
 * shipped as `schema/report.schema.json`. Known fields are described; extra fields are allowed (the contract
 * grows by adding fields). The per-category `evidence` checks are not expressible here and stay in the reader.
 */
import { zodToJsonSchema } from 'zod-to-json-schema';
import { reportDocumentSchema } from '../core/document/schema.js';

export function reportJsonSchema(): Record<string, unknown> {
  const body = zodToJsonSchema(reportDocumentSchema, { target: 'jsonSchema2019-09', $refStrategy: 'none' }) as Record<string, unknown>;
  delete body.$schema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:mamori:schema:report:1',
    title: 'mamori report document (schemaVersion 1)',
    description: 'The JSON report of `mamori scan … --format json` (docs/contract.md). Fields are only ever added, never renamed or removed.',
    ...body,
  };
}

export const reportJsonSchemaText = (): string => `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
