import { mkdir, writeFile } from 'node:fs/promises';
import { messageJsonSchemas, renderJsonSchema } from '../src/json-schema.ts';

// Regenerates packages/contracts/schemas/*.json; test/json-schema.test.ts fails when they are stale.
const dir = new URL('../schemas/', import.meta.url);
await mkdir(dir, { recursive: true });
for (const [name, schema] of Object.entries(messageJsonSchemas())) {
  await writeFile(new URL(`${name}.json`, dir), renderJsonSchema(schema));
  console.log(`wrote schemas/${name}.json`);
}
