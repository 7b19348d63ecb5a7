/** Writes scenario.schema.json at the repo root: `node --import tsx cli/gen-scenario-schema.ts`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioJsonSchema } from '../src/core/scenario/json-schema';

export const SCHEMA_FILE = join(import.meta.dirname, '..', 'scenario.schema.json');

export function scenarioSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, scenarioSchemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
