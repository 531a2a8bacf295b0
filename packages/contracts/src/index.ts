export * from './common.ts';
export * from './errors.ts';
export * from './job.ts';
export * from './json-schema.ts';
export * from './lambda.ts';
export * from './logger.ts';
export * from './request.ts';
export * from './result.ts';
