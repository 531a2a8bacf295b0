// The enroller Lambda's hosting API: what a host (the Lambda runtime through `handler.ts`, the local stack)
// needs to run the function. The pipeline itself is `@frs/service` and `@frs/vision`.
export { createHandler, type EnrollerDeps, type FaceToEnrol } from './app.ts';
export {
  type EnrollerConfig,
  EnrollerConfigError,
  EnrollerEnv,
  EnrollerError,
  parseEnrollerConfig,
} from './config.ts';
export { createEnrollerDeps } from './deps.ts';
export { SERVICE } from './metrics.ts';
