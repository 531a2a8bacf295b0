export * from './event-source.ts';
export * from './function-url.ts';
export * from './queues.ts';
export * from './stack.ts';
