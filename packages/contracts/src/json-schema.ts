import { z } from 'zod';
import { EnrolRequest, EnrolResponse, PeopleList, PersonDetail } from './enrol.ts';
import { ErrorBody } from './errors.ts';
import { RecognitionJob } from './job.ts';
import { DetectorAccepted, RecognitionRequest } from './request.ts';
import { RecognitionResult } from './result.ts';

/**
 * Every message schema by the file name its JSON Schema is written to (`schemas/<name>.json`).
 *
 * @example
 * ```ts
 * MESSAGE_SCHEMAS.result.parse(JSON.parse(body));
 * ```
 */
export const MESSAGE_SCHEMAS = {
  request: RecognitionRequest,
  accepted: DetectorAccepted,
  error: ErrorBody,
  job: RecognitionJob,
  result: RecognitionResult,
  'enrol-request': EnrolRequest,
  'enrol-response': EnrolResponse,
  people: PeopleList,
  person: PersonDetail,
} as const;

/**
 * JSON Schema (draft 2020-12) of every FRS message, keyed like {@link MESSAGE_SCHEMAS}; `request`
 * describes the input side (what clients may send), the others the output side.
 *
 * @example
 * ```ts
 * import { messageJsonSchemas } from '@frs/contracts/json-schema';
 * console.log(JSON.stringify(messageJsonSchemas().result, null, 2));
 * ```
 */
export function messageJsonSchemas(): Record<keyof typeof MESSAGE_SCHEMAS, Record<string, unknown>> {
  return {
    request: z.toJSONSchema(RecognitionRequest, { io: 'input' }),
    accepted: z.toJSONSchema(DetectorAccepted),
    error: z.toJSONSchema(ErrorBody),
    job: z.toJSONSchema(RecognitionJob),
    result: z.toJSONSchema(RecognitionResult),
    'enrol-request': z.toJSONSchema(EnrolRequest, { io: 'input' }),
    'enrol-response': z.toJSONSchema(EnrolResponse),
    people: z.toJSONSchema(PeopleList),
    person: z.toJSONSchema(PersonDetail),
  };
}

/**
 * The exact text of `schemas/<name>.json` (2-space JSON and a final newline), shared by the writer
 * script and the freshness test.
 *
 * @example
 * ```ts
 * const text = renderJsonSchema(messageJsonSchemas().job);
 * ```
 */
export function renderJsonSchema(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
