/** `mamori schema`: print the JSON Schema of the report document (also shipped as schema/report.schema.json). */
import { expectPositionals } from '../args.js';
import type { Command } from '../context.js';

export const schemaCommand: Command = {
  path: ['schema'],
  summary: 'schema.summary',
  usage: '',
  options: [],
  async run(ctx) {
    expectPositionals(ctx, []);
    const { reportJsonSchemaText } = await import('../../report/json-schema.js');
    ctx.io.stdout.write(reportJsonSchemaText());
    return 0;
  },
};
