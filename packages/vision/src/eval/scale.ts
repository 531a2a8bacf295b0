import { checkQuality, type FaceQuality, type QualityLimits } from '../gallery/quality.ts';
import type { Aggregation } from '../match/matcher.ts';
import type { DatasetPerson } from './dataset.ts';
import type { AnalyzedImage, AnalyzedImageFace } from './evaluate.ts';
import { random } from './protocol.ts';

/** How a person's enrolled vectors combine into one score: the matcher's {@link Aggregation}. */
export type ScaleAggregation = Aggregation;

/** One photo of the scale protocol: its person and the unit vector of its chosen face ({@link FaceChoice}) (none: no face found). */
export interface ScalePhoto {
  person: string;
  path: string;
  vector: Float32Array | undefined;
  /** The chosen face's size, sharpness and pose, when the analysis recorded them. */
  quality?: FaceQuality;
}

/**
 * Which face of a photo stands for its label: the largest one, or the one whose box centre is nearest the
 * image centre. LFW-style sets centre the labelled person, and a larger bystander (a politician next to the
 * labelled aide) would otherwise be scored as the label: measured label noise, not matcher error.
 */
export type FaceChoice = 'largest' | 'central';

/**
 * Every photo's chosen face, in dataset order: the scale protocol's only input, so every gallery size and
 * repeat is pure matching over vectors computed once. `central` falls back to the largest face for images
 * analysed without boxes or size.
 *
 * @example
 * ```ts
 * const photos = scalePhotos(await listDataset(dir), images, 'central');
 * ```
 */
export function scalePhotos(
  people: readonly DatasetPerson[],
  images: ReadonlyMap<string, AnalyzedImage>,
  choice: FaceChoice = 'central',
): ScalePhoto[] {
  return people.flatMap((p) =>
    p.images.map((path): ScalePhoto => {
      const image = images.get(path);
      const faces = image?.faces ?? [];
      const { width, height } = image ?? {};
      const offCentre = (face: AnalyzedImageFace): number => {
        if (face.box === undefined || width === undefined || height === undefined) return -face.area;
        const [x1, y1, x2, y2] = face.box;
        return Math.hypot((x1 + x2) / 2 - width / 2, (y1 + y2) / 2 - height / 2);
      };
      const rank = choice === 'central' ? offCentre : (face: AnalyzedImageFace) => -face.area;
      const chosen = faces.reduce<AnalyzedImageFace | undefined>(
        (a, b) => (a === undefined || rank(b) < rank(a) ? b : a),
        undefined,
      );
      return {
        person: p.name,
        path,
        vector: chosen === undefined ? undefined : unit(chosen.embedding.vector),
        ...(chosen?.quality === undefined ? {} : { quality: chosen.quality }),
      };
    }),
  );
}

function unit(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  return Float32Array.from(vector, (v) => v * scale);
}

/** Options of {@link runScaleProtocol}. */
export interface ScaleOptions {
  /**
   * Gallery sizes (people enrolled). A size beyond the eligible people takes all of them plus random
   * gallery-only people ({@link ScaleRun.fillers}); sizes beyond both are left out.
   */
  gallerySizes: readonly number[];
  /** Random galleries per size. Default 5. */
  repeats?: number;
  /** Default 1. */
  seed?: number;
  /** Photos enrolled per person. Default 2. */
  enrolPerPerson?: number;
  /** People need at least this many photos with a face to be enrolled, so one is left to query. Default 3. */
  minPhotos?: number;
  /**
   * Query photos per person, chosen at random, for enrolled people (their other photos) and strangers alike:
   * without a cap a few people with hundreds of photos would be most of the queries. Default 10.
   */
  maxQueriesPerPerson?: number;
  /** Default `'max'`. */
  aggregation?: ScaleAggregation;
  /**
   * The enroller's photo-quality rule (`ENROLMENT_QUALITY`): a drawn enrolment photo that fails it is
   * rejected, as the enroller would, and the next of the person's photos is tried; rejected photos stay
   * available as queries (the person still walks past the camera like that). A person needs
   * `enrolPerPerson` photos that pass. `null` (default) enrols any photo with a face.
   */
  enrolmentQuality?: QualityLimits | null;
}

/** One scored query of one random gallery: what the decision rule needs, nothing more. */
export interface ScaleQuery {
  kind: 'genuine' | 'stranger';
  /** Best person's score (−∞ when the photo has no face). */
  best: number;
  /** Second-best person's score (−∞ with fewer than two people or no face). */
  second: number;
  /** Genuine queries: whether the best person is the right one. */
  bestIsTruth: boolean;
}

/** One random gallery of one size. */
export interface ScaleTrial {
  size: number;
  repeat: number;
  queries: ScaleQuery[];
  /** Stranger-vs-enrolled-person scores (one per pair) above {@link PAIR_FLOOR}, for the max-impostor model. */
  impostorPairs: Float32Array;
  /** How many stranger-vs-person pairs there were in all (the denominator of the pair rates). */
  impostorPairCount: number;
}

/** Impostor pair scores below this are counted but not kept: only the tail matters for the false-accept model. */
export const PAIR_FLOOR = 0.2;

/** Everything {@link runScaleProtocol} measured. */
export interface ScaleRun {
  trials: ScaleTrial[];
  /** People with enough photos to be enrolled; the largest gallery the data allow. */
  eligible: number;
  /** People who can never be enrolled: a single photo, or too few photos with a face (or passing the rule). */
  alwaysStrangers: number;
  /**
   * People who can be enrolled but have no photo left to query (exactly `enrolPerPerson`…`minPhotos` − 1
   * photos with a face): they only fill galleries larger than `eligible`, so the false-accept rate can be
   * measured beyond it (strangers are then fewer: the single-photo people and the fillers not drawn).
   */
  fillers: number;
  /** Of those, people with enough photos who lack `enrolPerPerson` photos passing the quality rule. */
  qualityIneligible: number;
  /** Over all trials: enrolment photos the quality rule rejected, and the photos it was asked about. */
  enrolment: { rejected: number; tried: number };
  options: Required<ScaleOptions>;
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const a = items[i];
    const b = items[j];
    if (a !== undefined && b !== undefined) {
      items[i] = b;
      items[j] = a;
    }
  }
  return items;
}

/**
 * The scale protocol: for each gallery size N and repeat, a seeded random gallery of N people with at least
 * `minPhotos` photos with a face, `enrolPerPerson` random photos each enrolled, up to `maxQueriesPerPerson`
 * of their other photos queried; everybody else (single-photo people and the multi-photo people not drawn) is
 * a stranger, queried with up to `maxQueriesPerPerson` photos, and must come back `unknown`. Each query's best
 * and second-best person scores are kept, so any threshold or margin rule can be evaluated afterwards.
 *
 * @throws {RangeError} when the options are not positive integers.
 * @example
 * ```ts
 * const run = runScaleProtocol(photos, { gallerySizes: [10, 100, 400], repeats: 5, seed: 1 });
 * scalePoint(run.trials.filter((t) => t.size === 100), { threshold: 0.52 }).far;
 * ```
 */
export function runScaleProtocol(photos: readonly ScalePhoto[], options: ScaleOptions): ScaleRun {
  const full: Required<ScaleOptions> = {
    gallerySizes: options.gallerySizes,
    repeats: options.repeats ?? 5,
    seed: options.seed ?? 1,
    enrolPerPerson: options.enrolPerPerson ?? 2,
    minPhotos: options.minPhotos ?? 3,
    maxQueriesPerPerson: options.maxQueriesPerPerson ?? 10,
    aggregation: options.aggregation ?? 'max',
    enrolmentQuality: options.enrolmentQuality ?? null,
  };
  const limits = full.enrolmentQuality;
  // A photo without recorded quality cannot be judged; refusing it silently would skew the protocol.
  const passes = (i: number): boolean => {
    if (limits === null) return true;
    const quality = photos[i]?.quality;
    if (quality === undefined) throw new RangeError(`${photos[i]?.path}: no quality recorded; re-analyse`);
    return checkQuality(quality, limits).length === 0;
  };
  for (const [name, value] of Object.entries({
    repeats: full.repeats,
    enrolPerPerson: full.enrolPerPerson,
    minPhotos: full.minPhotos,
    maxQueriesPerPerson: full.maxQueriesPerPerson,
  })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  if (full.minPhotos <= full.enrolPerPerson) throw new RangeError('minPhotos must exceed enrolPerPerson');
  // Every photo against every photo once (a Gram matrix of unit vectors): each gallery is then only lookups,
  // so many sizes and repeats cost little more than one.
  const n = photos.length;
  const dimension = photos.find((p) => p.vector !== undefined)?.vector?.length ?? 0;
  const packed = new Float32Array(n * dimension);
  photos.forEach((p, i) => {
    if (p.vector !== undefined) packed.set(p.vector, i * dimension);
  });
  const gram = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const bi = i * dimension;
    for (let j = i; j < n; j++) {
      const bj = j * dimension;
      let s = 0;
      for (let d = 0; d < dimension; d++) s += (packed[bi + d] ?? 0) * (packed[bj + d] ?? 0);
      gram[i * n + j] = s;
      gram[j * n + i] = s;
    }
  }
  const byPerson = new Map<string, number[]>();
  photos.forEach((photo, i) => {
    const list = byPerson.get(photo.person) ?? [];
    list.push(i);
    byPerson.set(photo.person, list);
  });
  const names = [...byPerson.keys()];
  const withFace = (name: string) =>
    (byPerson.get(name) ?? []).filter((i) => photos[i]?.vector !== undefined);
  const enough = names.filter((name) => withFace(name).length >= full.minPhotos);
  const enrollable = (name: string) => withFace(name).filter(passes).length >= full.enrolPerPerson;
  const eligible = enough.filter(enrollable);
  const eligibleSet = new Set(eligible);
  const enoughSet = new Set(enough);
  const fillers = names.filter((name) => !enoughSet.has(name) && enrollable(name));
  let rejected = 0;
  let tried = 0;
  const trials: ScaleTrial[] = [];
  for (const size of full.gallerySizes) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`gallery size must be a positive integer, got ${size}`);
    }
    if (size > eligible.length + fillers.length) continue;
    for (let repeat = 0; repeat < full.repeats; repeat++) {
      // One stream per (size, repeat): a trial does not change when other sizes are added or removed.
      const rand = random((full.seed * 1_000_003 + size * 7919 + repeat) >>> 0);
      const chosen = new Set(
        size <= eligible.length
          ? shuffle([...eligible], rand).slice(0, size)
          : [...eligible, ...shuffle([...fillers], rand).slice(0, size - eligible.length)],
      );
      // Enrolled photo indices per person, and |Σv| for the centroid: its similarity is Σ(v·q) / |Σv|.
      const rows: number[][] = [];
      const norms: number[] = [];
      const queries: { photo: number; kind: 'genuine' | 'stranger'; truth: number }[] = [];
      for (const name of names) {
        if (chosen.has(name)) {
          const enrolled: number[] = [];
          for (const i of shuffle(withFace(name), rand)) {
            if (enrolled.length === full.enrolPerPerson) break;
            tried++;
            if (passes(i)) enrolled.push(i);
            else rejected++;
          }
          let norm2 = 0;
          for (const x of enrolled) for (const y of enrolled) norm2 += gram[x * n + y] ?? 0;
          const index = rows.length;
          rows.push(enrolled);
          norms.push(Math.sqrt(Math.max(norm2, 1e-12)));
          const taken = new Set(enrolled);
          // A filler has nothing left worth querying (at most photos without a face).
          if (!eligibleSet.has(name)) continue;
          const rest = shuffle(
            (byPerson.get(name) ?? []).filter((i) => !taken.has(i)),
            rand,
          ).slice(0, full.maxQueriesPerPerson);
          for (const photo of rest) queries.push({ photo, kind: 'genuine', truth: index });
        } else {
          for (const photo of shuffle([...(byPerson.get(name) ?? [])], rand).slice(
            0,
            full.maxQueriesPerPerson,
          )) {
            queries.push({ photo, kind: 'stranger', truth: -1 });
          }
        }
      }
      const pairs: number[] = [];
      let pairCount = 0;
      const scored = queries.map(({ photo, kind, truth }): ScaleQuery => {
        if (photos[photo]?.vector === undefined) {
          return {
            kind,
            best: Number.NEGATIVE_INFINITY,
            second: Number.NEGATIVE_INFINITY,
            bestIsTruth: false,
          };
        }
        const base = photo * n;
        let best = Number.NEGATIVE_INFINITY;
        let second = Number.NEGATIVE_INFINITY;
        let bestIndex = -1;
        for (let index = 0; index < rows.length; index++) {
          const enrolled = rows[index] ?? [];
          let score: number;
          if (full.aggregation === 'max') {
            score = Number.NEGATIVE_INFINITY;
            for (const e of enrolled) score = Math.max(score, gram[base + e] ?? 0);
          } else {
            let sum = 0;
            for (const e of enrolled) sum += gram[base + e] ?? 0;
            score = full.aggregation === 'mean' ? sum / enrolled.length : sum / (norms[index] ?? 1);
          }
          if (kind === 'stranger') {
            pairCount++;
            if (score >= PAIR_FLOOR) pairs.push(score);
          }
          if (score > best) {
            second = best;
            best = score;
            bestIndex = index;
          } else if (score > second) {
            second = score;
          }
        }
        return { kind, best, second, bestIsTruth: kind === 'genuine' && bestIndex === truth };
      });
      trials.push({
        size,
        repeat,
        queries: scored,
        impostorPairs: Float32Array.from(pairs),
        impostorPairCount: pairCount,
      });
    }
  }
  return {
    trials,
    eligible: eligible.length,
    alwaysStrangers: names.length - eligible.length - fillers.length,
    fillers: fillers.length,
    qualityIneligible: enough.length - eligible.length,
    enrolment: { rejected, tried },
    options: full,
  };
}

/** A decision rule: accept the best person iff its score reaches `threshold` and beats the runner-up by `margin`. */
export interface DecisionRule {
  threshold: number;
  /** Minimum best − second-best score. Default 0 (no margin rule). */
  margin?: number;
}

/** Open-set rates of one rule over the trials of one gallery size. */
export interface ScalePoint {
  size: number;
  threshold: number;
  margin: number;
  /** Strangers given a name: the identification false-accept rate. */
  far: number;
  /** Genuine queries named correctly (1 − this = rejected or misnamed). */
  knownCorrect: number;
  /** Genuine queries given the wrong name. */
  misnamed: number;
  /** Threshold-free: genuine queries whose best person is right. */
  rank1: number;
  strangerQueries: number;
  genuineQueries: number;
  /** Spread of FAR over the repeats (min, max): how much one random gallery can differ from another. */
  farRange: [number, number];
}

function accepts(q: ScaleQuery, rule: DecisionRule): boolean {
  return q.best >= rule.threshold && q.best - q.second >= (rule.margin ?? 0);
}

/**
 * Applies a decision rule to every query of some trials (normally all repeats of one gallery size).
 *
 * @example
 * ```ts
 * const point = scalePoint(run.trials.filter((t) => t.size === 100), { threshold: 0.52, margin: 0.02 });
 * console.log(point.far, point.knownCorrect);
 * ```
 */
export function scalePoint(trials: readonly ScaleTrial[], rule: DecisionRule): ScalePoint {
  let strangers = 0;
  let accepted = 0;
  let genuine = 0;
  let correct = 0;
  let misnamed = 0;
  let rank = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const trial of trials) {
    let s = 0;
    let a = 0;
    for (const q of trial.queries) {
      if (q.kind === 'stranger') {
        s++;
        if (accepts(q, rule)) a++;
      } else {
        genuine++;
        if (q.bestIsTruth) rank++;
        if (accepts(q, rule)) {
          if (q.bestIsTruth) correct++;
          else misnamed++;
        }
      }
    }
    strangers += s;
    accepted += a;
    if (s > 0) {
      lo = Math.min(lo, a / s);
      hi = Math.max(hi, a / s);
    }
  }
  const ratio = (n: number, d: number) => (d === 0 ? Number.NaN : n / d);
  return {
    size: trials[0]?.size ?? 0,
    threshold: rule.threshold,
    margin: rule.margin ?? 0,
    far: ratio(accepted, strangers),
    knownCorrect: ratio(correct, genuine),
    misnamed: ratio(misnamed, genuine),
    rank1: ratio(rank, genuine),
    strangerQueries: strangers,
    genuineQueries: genuine,
    farRange: strangers === 0 ? [Number.NaN, Number.NaN] : [lo, hi],
  };
}

/**
 * The lowest threshold (0.001 steps) at which the strangers named over `trials` are at most `targetFar`:
 * the empirical answer to "what threshold for this gallery size".
 *
 * @example
 * ```ts
 * empiricalThreshold(run.trials.filter((t) => t.size === 400), 0.01); // 0.571
 * ```
 */
export function empiricalThreshold(
  trials: readonly ScaleTrial[],
  targetFar: number,
  margin = 0,
): number | undefined {
  const scores = trials
    .flatMap((t) => t.queries)
    .filter((q) => q.kind === 'stranger')
    .map((q) => (q.best - q.second >= margin ? q.best : Number.NEGATIVE_INFINITY))
    .sort((a, b) => b - a);
  if (scores.length === 0) return undefined;
  const bar = scores[Math.floor(targetFar * scores.length + 1e-9)];
  if (bar === undefined || bar === Number.NEGATIVE_INFINITY) return -1;
  return Math.ceil((bar + 1e-9) * 1000) / 1000;
}

/** One point of the empirical per-pair impostor survival function. */
export interface SurvivalPoint {
  threshold: number;
  /** Fraction of stranger-vs-enrolled-person scores ≥ threshold. */
  rate: number;
  /** How many pairs that is. */
  count: number;
}

/**
 * The empirical per-pair impostor survival function: for each threshold, the fraction of (stranger, enrolled
 * person) scores at or above it, pooled over the trials.
 *
 * @example
 * ```ts
 * impostorSurvival(run.trials).find((p) => p.threshold === 0.5)?.rate; // 2.1e-4
 * ```
 */
export function impostorSurvival(
  trials: readonly ScaleTrial[],
  thresholds: readonly number[] = Array.from(
    { length: 71 },
    (_, i) => Math.round((PAIR_FLOOR + i * 0.01) * 100) / 100,
  ),
): SurvivalPoint[] {
  const total = trials.reduce((n, t) => n + t.impostorPairCount, 0);
  const all = Float32Array.from(trials.flatMap((t) => Array.from(t.impostorPairs))).sort();
  return thresholds.map((threshold) => {
    // First index with a score ≥ threshold (binary search over the sorted scores).
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((all[mid] ?? 0) < threshold) lo = mid + 1;
      else hi = mid;
    }
    const count = all.length - lo;
    return { threshold, rate: total === 0 ? Number.NaN : count / total, count };
  });
}

/**
 * Fits log10(pair rate) = `intercept` + `slope` · threshold by least squares over the tail of the survival
 * function (rate ≤ `maxRate`, at least `minCount` pairs, so each point has a usable relative error). An
 * exponential tail falls more slowly than the near-Gaussian tail cosine scores really have, so extrapolating
 * it overstates the false-accept rate of large galleries: a conservative model.
 *
 * @example
 * ```ts
 * const tail = fitImpostorTail(impostorSurvival(run.trials)); // { intercept: 1.9, slope: -11.8, … }
 * ```
 */
export function fitImpostorTail(
  survival: readonly SurvivalPoint[],
  options: { maxRate?: number; minCount?: number } = {},
): { intercept: number; slope: number; from: number; to: number; points: number } {
  const maxRate = options.maxRate ?? 1e-2;
  const minCount = options.minCount ?? 20;
  const used = survival.filter((p) => p.rate <= maxRate && p.count >= minCount && p.rate > 0);
  if (used.length < 3)
    throw new RangeError(`only ${used.length} usable tail points; more strangers or galleries needed`);
  const xs = used.map((p) => p.threshold);
  const ys = used.map((p) => Math.log10(p.rate));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * ((ys[i] ?? 0) - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxy / sxx;
  return {
    intercept: my - slope * mx,
    slope,
    from: xs[0] ?? Number.NaN,
    to: xs[xs.length - 1] ?? Number.NaN,
    points: used.length,
  };
}
