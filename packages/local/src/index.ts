export { type LocalDynamo, LocalDynamoError, startLocalDynamo } from './dynamodb.ts';
export { LocalError } from './errors.ts';
export {
  createEventSourceMapping,
  type EventSourceMapping,
  type EventSourceOptions,
  type SqsHandler,
} from './event-source.ts';
export {
  type FunctionUrlHandler,
  type FunctionUrlOptions,
  type FunctionUrlServer,
  serveFunctionUrl,
  toFunctionUrlEvent,
} from './function-url.ts';
export { type LocalQueues, type QueueOptions, startLocalQueues } from './queues.ts';
export { type LocalStack, type LocalStackOptions, startLocalStack } from './stack.ts';
