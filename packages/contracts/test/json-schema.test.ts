import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { messageJsonSchemas, renderJsonSchema } from '../src/json-schema.ts';

describe('Function: messageJsonSchemas()', () => {
  it('returns schemas identical to the committed schemas/*.json files (run `pnpm --filter @frs/contracts schemas` when this fails)', async () => {
    for (const [name, schema] of Object.entries(messageJsonSchemas())) {
      const onDisk = await readFile(new URL(`../schemas/${name}.json`, import.meta.url), 'utf8');
      // Compared as data, not text, so the repository formatter may re-indent the files.
      expect(JSON.parse(onDisk), `schemas/${name}.json is stale`).toEqual(
        JSON.parse(renderJsonSchema(schema)),
      );
    }
  });

  it('returns a result schema that requires request_id and result', () => {
    expect(messageJsonSchemas().result.required).toEqual(expect.arrayContaining(['request_id', 'result']));
  });
});
