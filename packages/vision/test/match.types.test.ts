import type { Embedding } from '@frs/vision';
import type { GalleryModel } from '@frs/vision/gallery';
import {
  type Aggregation,
  type CalibratedThreshold,
  type Candidate,
  createMatcher,
  defaultThreshold,
  galleryThreshold,
  type ImpostorModel,
  type Matcher,
  type MatchOptions,
  type MatchResult,
  type SearchOptions,
} from '@frs/vision/match';
import { describe, expectTypeOf, it } from 'vitest';

// The public types of @frs/vision/match, checked by tsc (`pnpm typecheck`): the recognizer, the enroller
// and the CLI build on these. New optional fields pass; a rename, a retype or a lost variant fails.
describe('Type: @frs/vision/match', () => {
  it('returns a known or unknown answer, both with the candidates, the known one with its similarity', () => {
    expectTypeOf<MatchResult['kind']>().toEqualTypeOf<'known' | 'unknown'>();
    expectTypeOf<Extract<MatchResult, { kind: 'known' }>>().toExtend<{
      name: string;
      similarity: number;
      candidates: Candidate[];
    }>();
    expectTypeOf<Extract<MatchResult, { kind: 'unknown' }>>().toExtend<{
      nearest: Candidate | undefined;
      candidates: Candidate[];
    }>();
    expectTypeOf<Candidate>().toExtend<{ name: string; similarity: number }>();
  });

  it('returns a matcher that searches and matches an embedding or a bare vector', () => {
    expectTypeOf(createMatcher).returns.toEqualTypeOf<Matcher>();
    expectTypeOf<Matcher['model']>().toEqualTypeOf<GalleryModel>();
    expectTypeOf<Matcher['size']>().toEqualTypeOf<number>();
    expectTypeOf<Matcher['search']>().parameter(0).toEqualTypeOf<Embedding | Float32Array>();
    expectTypeOf<Matcher['search']>().returns.toEqualTypeOf<Candidate[]>();
    expectTypeOf<Matcher['match']>().parameter(1).toEqualTypeOf<MatchOptions>();
    expectTypeOf<Matcher['match']>().returns.toEqualTypeOf<MatchResult>();
  });

  it('returns options where only the threshold is required', () => {
    expectTypeOf<Aggregation>().toEqualTypeOf<'max' | 'mean' | 'centroid'>();
    expectTypeOf<{ threshold: number }>().toExtend<MatchOptions>();
    expectTypeOf<Record<string, never>>().toExtend<SearchOptions>();
    expectTypeOf<MatchOptions['threshold']>().toEqualTypeOf<number>();
  });

  it('returns thresholds as numbers for a model id, the calibration carrying an optional impostor model', () => {
    expectTypeOf(defaultThreshold).toEqualTypeOf<(modelId: string) => number>();
    expectTypeOf(galleryThreshold).parameters.toEqualTypeOf<
      [modelId: string, gallerySize: number, targetFar?: number]
    >();
    expectTypeOf<CalibratedThreshold['threshold']>().toEqualTypeOf<number>();
    expectTypeOf<CalibratedThreshold['impostors']>().toEqualTypeOf<ImpostorModel | undefined>();
    expectTypeOf<ImpostorModel['points'][number]>().toEqualTypeOf<
      readonly [threshold: number, probability: number]
    >();
  });
});
