export type { Aggregation, Candidate, Matcher, MatchOptions, MatchResult, SearchOptions } from './matcher.ts';
export { createMatcher } from './matcher.ts';

export type { CalibratedThreshold, ImpostorModel } from './thresholds.ts';
export {
  CALIBRATED_THRESHOLDS,
  DEFAULT_TARGET_FAR,
  defaultThreshold,
  galleryFalseAcceptRate,
  galleryThreshold,
  pairFalseAcceptRate,
  thresholdForFalseAcceptRate,
  UncalibratedModelError,
} from './thresholds.ts';
