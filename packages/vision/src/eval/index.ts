export * from './cache.ts';
export * from './dataset.ts';
export * from './evaluate.ts';
export * from './metrics.ts';
export * from './protocol.ts';
export * from './report.ts';
export * from './run.ts';
export * from './scale.ts';
