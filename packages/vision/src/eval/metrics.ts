import type { Candidate } from '../match/matcher.ts';
import type { Query } from './protocol.ts';

/** A query after detection, embedding and search. */
export interface ScoredQuery extends Query {
  /** Faces the pipeline found in the image. */
  faces: number;
  /** The best person over all faces in the image (max of each face's best similarity); undefined with no face. */
  best: Candidate | undefined;
  /** Genuine queries: the best similarity to the true person over all faces. */
  truthSimilarity?: number;
  /** Similarity to every enrolled person other than the true one (max over faces): the impostor scores. */
  impostorSimilarities: number[];
}

/** Identification and verification rates at one threshold. */
export interface ThresholdPoint {
  threshold: number;
  /** Genuine queries named correctly with similarity ≥ threshold. */
  top1: number;
  /** Impostor (stranger + negative) queries accepted as someone: identification false accept rate. */
  far: number;
  /** Genuine queries rejected or wrongly named: 1 − top1. */
  frr: number;
  /** Strangers answered `unknown`. */
  strangerUnknownRate: number;
  /** Negative images (e.g. no face) given no name. */
  negativeNoNameRate: number;
  /** Counts behind the rates. */
  genuineCorrect: number;
  falseRejects: number;
  misidentified: number;
  strangersAccepted: number;
  negativesAccepted: number;
  /** Verification: fraction of genuine (query, true person) scores ≥ threshold. */
  tar: number;
  /** Verification: fraction of (query, other person) scores ≥ threshold. */
  verificationFar: number;
}

function accepted(q: ScoredQuery, threshold: number): boolean {
  return q.best !== undefined && q.best.similarity >= threshold;
}

function ratio(n: number, d: number): number {
  return d === 0 ? Number.NaN : n / d;
}

/**
 * Threshold-free rank-1: the fraction of genuine queries whose best person is the true one.
 *
 * @example
 * ```ts
 * rank1(scored); // 0.973
 * ```
 */
export function rank1(queries: readonly ScoredQuery[]): number {
  const genuine = queries.filter((q) => q.kind === 'genuine');
  return ratio(genuine.filter((q) => q.best?.name === q.person).length, genuine.length);
}

/**
 * Identification and verification rates at one threshold. A genuine query is correct iff its best person is
 * right and reaches the threshold; a stranger or negative is correct iff nothing reaches it.
 *
 * @example
 * ```ts
 * const point = atThreshold(scored, 0.5);
 * console.log(point.top1, point.far);
 * ```
 */
export function atThreshold(queries: readonly ScoredQuery[], threshold: number): ThresholdPoint {
  let genuine = 0;
  let genuineCorrect = 0;
  let falseRejects = 0;
  let misidentified = 0;
  let strangers = 0;
  let strangersAccepted = 0;
  let negatives = 0;
  let negativesAccepted = 0;
  let genuineScoresAccepted = 0;
  let impostorScores = 0;
  let impostorScoresAccepted = 0;
  for (const q of queries) {
    for (const s of q.impostorSimilarities) {
      impostorScores++;
      if (s >= threshold) impostorScoresAccepted++;
    }
    if (q.kind === 'genuine') {
      genuine++;
      if (!accepted(q, threshold)) falseRejects++;
      else if (q.best?.name === q.person) genuineCorrect++;
      else misidentified++;
      if (q.truthSimilarity !== undefined && q.truthSimilarity >= threshold) genuineScoresAccepted++;
    } else if (q.kind === 'stranger') {
      strangers++;
      if (accepted(q, threshold)) strangersAccepted++;
    } else {
      negatives++;
      if (accepted(q, threshold)) negativesAccepted++;
    }
  }
  const top1 = ratio(genuineCorrect, genuine);
  return {
    threshold,
    top1,
    far: ratio(strangersAccepted + negativesAccepted, strangers + negatives),
    frr: 1 - top1,
    strangerUnknownRate: 1 - ratio(strangersAccepted, strangers),
    negativeNoNameRate: 1 - ratio(negativesAccepted, negatives),
    genuineCorrect,
    falseRejects,
    misidentified,
    strangersAccepted,
    negativesAccepted,
    // A genuine query with no face at all still counts against TAR.
    tar: ratio(genuineScoresAccepted, genuine),
    verificationFar: ratio(impostorScoresAccepted, impostorScores),
  };
}

/**
 * The lowest threshold (rounded up to 0.001) at which the identification FAR — impostor queries whose best
 * similarity reaches it — is at most `targetFar`. Undefined when there are no impostor queries.
 *
 * @example
 * ```ts
 * thresholdForFar(scored, 0.01); // 0.412
 * ```
 */
export function thresholdForFar(queries: readonly ScoredQuery[], targetFar: number): number | undefined {
  const impostors = queries.filter((q) => q.kind !== 'genuine');
  if (impostors.length === 0) return undefined;
  const scores = impostors.map((q) => q.best?.similarity ?? Number.NEGATIVE_INFINITY).sort((a, b) => b - a);
  const allowed = Math.floor(targetFar * impostors.length + 1e-9);
  const bar = scores[allowed];
  if (bar === undefined || bar === Number.NEGATIVE_INFINITY) return -1;
  return Math.ceil((bar + 1e-9) * 1000) / 1000;
}

/**
 * Thresholds from `from` to `to` inclusive in steps of `step`, free of floating-point drift.
 *
 * @example
 * ```ts
 * thresholdGrid(0.3, 0.6, 0.05); // [0.3, 0.35, …, 0.6]
 * ```
 */
export function thresholdGrid(from = 0, to = 0.9, step = 0.01): number[] {
  const n = Math.round((to - from) / step);
  return Array.from({ length: n + 1 }, (_, i) => Math.round((from + i * step) * 1e6) / 1e6);
}

/** Errors of one person over all their queries. */
export interface PersonErrors {
  person: string;
  kind: 'enrolled' | 'stranger';
  queries: number;
  /** Genuine queries whose best person was someone else (threshold-free). */
  rank1Errors: number;
  /** Queries answered wrongly at the threshold (rejected, misnamed, or a stranger accepted). */
  errorsAtThreshold: number;
  /** Paths of the wrong answers at the threshold. */
  wrong: { path: string; answer: string; similarity: number | undefined }[];
}

/**
 * Per-person error counts at a threshold, worst first.
 *
 * @example
 * ```ts
 * perPersonErrors(scored, 0.5).filter((p) => p.errorsAtThreshold > 0);
 * ```
 */
export function perPersonErrors(queries: readonly ScoredQuery[], threshold: number): PersonErrors[] {
  const byPerson = new Map<string, PersonErrors>();
  for (const q of queries) {
    if (q.person === undefined) continue;
    let entry = byPerson.get(q.person);
    if (!entry) {
      entry = {
        person: q.person,
        kind: q.kind === 'genuine' ? 'enrolled' : 'stranger',
        queries: 0,
        rank1Errors: 0,
        errorsAtThreshold: 0,
        wrong: [],
      };
      byPerson.set(q.person, entry);
    }
    entry.queries++;
    if (q.kind === 'genuine' && q.best?.name !== q.person) entry.rank1Errors++;
    const ok =
      q.kind === 'genuine' ? accepted(q, threshold) && q.best?.name === q.person : !accepted(q, threshold);
    if (!ok) {
      entry.errorsAtThreshold++;
      entry.wrong.push({
        path: q.path,
        answer: accepted(q, threshold) ? (q.best?.name ?? 'unknown') : 'unknown',
        similarity: q.best?.similarity,
      });
    }
  }
  return [...byPerson.values()].sort(
    (a, b) => b.errorsAtThreshold - a.errorsAtThreshold || b.rank1Errors - a.rank1Errors,
  );
}
