export type { Aggregation, Candidate, Matcher, MatchOptions, MatchResult, SearchOptions } from './matcher.ts';
export { createMatcher } from './matcher.ts';
export type { CalibratedThreshold } from './thresholds.ts';
export { CALIBRATED_THRESHOLDS, defaultThreshold, UncalibratedModelError } from './thresholds.ts';
