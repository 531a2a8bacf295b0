import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { EnrolRequest, EnrolResponse, PeopleList, PersonDetail, PersonName } from '../src/enrol.ts';
import type { ErrorBody, ErrorCode } from '../src/errors.ts';
import type { JobFace, RecognitionJob } from '../src/job.ts';
import type { FunctionUrlResult, SqsBatchResponse } from '../src/lambda.ts';
import type { DetectorAccepted, RecognitionRequest } from '../src/request.ts';
import type { RecognitionResult, ResultFace } from '../src/result.ts';

type Box = [number, number, number, number];

// The public types of @frs/contracts, checked by tsc (`pnpm typecheck`): a field renamed, retyped or made
// optional fails here before any client sees it. Where the cross-branch agreement allows additive fields
// (the result and the job), the test checks that the agreed fields are still there with their types.
describe('Type: @frs/contracts messages', () => {
  it('returns the camera request with an optional filename and camera id, content and request_id required', () => {
    expectTypeOf<RecognitionRequest>().toEqualTypeOf<{
      content: string;
      request_id: string;
      filename?: string | undefined;
      camera_id?: string | undefined;
    }>();
    expectTypeOf<DetectorAccepted>().toEqualTypeOf<{
      request_id: string;
      faces: number;
      dropped_faces: number;
    }>();
  });

  it('returns a result that keeps request_id, result and the faces with name and similarity', () => {
    expectTypeOf<RecognitionResult>().toExtend<{
      request_id: string;
      camera_id?: string | undefined;
      result: string;
      faces: { box: Box; score: number; name: string; similarity: number }[];
      dropped_faces: number;
      timing: { detector_ms: number; recognizer_ms: number; queue_ms: number };
    }>();
    expectTypeOf<ResultFace['box']>().toEqualTypeOf<Box>();
    expectTypeOf<RecognitionResult['request_id']>().toEqualTypeOf<string>();
  });

  it('returns a job carrying base64 chips with five landmarks per face', () => {
    expectTypeOf<RecognitionJob>().toExtend<{
      version: 1;
      request_id: string;
      models: { detector: string; embedder: string };
      chip_size: { width: number; height: number };
      faces: JobFace[];
    }>();
    expectTypeOf<JobFace['landmarks']>().toEqualTypeOf<
      [[number, number], [number, number], [number, number], [number, number], [number, number]]
    >();
    expectTypeOf<JobFace['chip']>().toEqualTypeOf<string>();
  });

  it('returns the error body with a code from the closed list', () => {
    expectTypeOf<ErrorCode>().toEqualTypeOf<
      | 'malformed_json'
      | 'invalid_request'
      | 'invalid_base64'
      | 'body_too_large'
      | 'image_too_large'
      | 'unsupported_format'
      | 'not_an_image'
      | 'truncated_image'
      | 'method_not_allowed'
      | 'no_face'
      | 'low_quality'
      | 'not_found'
      | 'conflict'
      | 'internal_error'
    >();
    expectTypeOf<ErrorBody>().toEqualTypeOf<{
      request_id?: string | undefined;
      error: { code: ErrorCode; message: string };
    }>();
  });

  it('returns the enroller API bodies, a person name being any string on input and a string on output', () => {
    expectTypeOf<z.input<typeof PersonName>>().toEqualTypeOf<string>();
    expectTypeOf<z.output<typeof PersonName>>().toEqualTypeOf<string>();
    expectTypeOf<EnrolRequest>().toEqualTypeOf<{ content: string; filename?: string | undefined }>();
    expectTypeOf<EnrolResponse>().toEqualTypeOf<{
      name: string;
      photo_id: string;
      face: { box: Box; score: number };
    }>();
    expectTypeOf<PersonDetail['photos'][number]>().toEqualTypeOf<{
      photo_id: string;
      box: Box;
      score: number;
      enrolled_at: string;
      filename?: string | undefined;
    }>();
    expectTypeOf<PeopleList>().toEqualTypeOf<{ people: { name: string; photos: number }[] }>();
  });

  it('returns the Lambda shapes the handlers answer with', () => {
    expectTypeOf<SqsBatchResponse>().toEqualTypeOf<{ batchItemFailures: { itemIdentifier: string }[] }>();
    expectTypeOf<FunctionUrlResult>().toHaveProperty('statusCode').toEqualTypeOf<number>();
    expectTypeOf<FunctionUrlResult>().toHaveProperty('body').toEqualTypeOf<string>();
  });
});
