export { BoxSchema, Millis, PointSchema } from './common.ts';
export {
  EnrolledFace,
  EnrolRequest,
  EnrolResponse,
  MAX_NAME_LENGTH,
  PeopleList,
  PersonDetail,
  PersonName,
  PersonPhoto,
  PhotoId,
} from './enrol.ts';
export { ERROR_STATUS, ErrorBody, ErrorCode } from './errors.ts';
export { JobFace, MAX_JOB_BYTES, RecognitionJob } from './job.ts';
export { MESSAGE_SCHEMAS, messageJsonSchemas, renderJsonSchema } from './json-schema.ts';
export {
  FunctionUrlEvent,
  FunctionUrlResult,
  LambdaContext,
  type SqsBatchResponse,
  SqsEvent,
  SqsRecord,
} from './lambda.ts';
export { DetectorAccepted, Filename, RecognitionRequest } from './request.ts';
export {
  MAX_RESULT_CANDIDATES,
  NO_FACE,
  RecognitionResult,
  ResultCandidate,
  ResultFace,
  UNKNOWN,
} from './result.ts';
