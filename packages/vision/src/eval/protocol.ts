import type { DatasetPerson } from './dataset.ts';

/** How a dataset is split into enrolment and queries. */
export interface SplitOptions {
  /** Photos enrolled per person (the first K in sorted order). People with ≤ K photos become strangers. */
  k: number;
  /** Fraction of the people with more than K photos additionally held out as strangers. Default 0. */
  strangerFraction?: number;
  /** Seed for choosing the held-out strangers. Default 1. */
  seed?: number;
}

/** What a query image is expected to produce. */
export type QueryKind = 'genuine' | 'stranger' | 'negative';

export interface Query {
  path: string;
  kind: QueryKind;
  /** The enrolled person for genuine queries; the (never enrolled) owner for strangers; undefined for negatives. */
  person: string | undefined;
}

export interface Split {
  enrol: { person: string; images: string[] }[];
  queries: Query[];
  /** People never enrolled: too few photos, or held out. */
  strangers: string[];
}

/**
 * mulberry32: tiny, seedable and good enough to pick hold-out sets and random galleries reproducibly.
 *
 * @example
 * ```ts
 * const rand = random(1);
 * rand(); // a number in [0, 1), the same every run
 * ```
 */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Splits a dataset by the FRS protocol: every person with more than K photos enrols their first K (sorted path
 * order) and queries the rest; people with K or fewer photos, plus a seeded random `strangerFraction` of the
 * others, are strangers whose every photo is queried and must come back `unknown`. `negatives` (e.g. no-face
 * images) are queried and must produce no name.
 *
 * @example
 * ```ts
 * const split = splitDataset(await listDataset(dir), { k: 1 }, await listImages(noFaceDir));
 * split.queries.filter((q) => q.kind === 'genuine').length; // 110 on ../shared/faces/identities
 * ```
 */
export function splitDataset(
  people: readonly DatasetPerson[],
  options: SplitOptions,
  negatives: readonly string[] = [],
): Split {
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const fraction = options.strangerFraction ?? 0;
  if (!(fraction >= 0 && fraction < 1))
    throw new RangeError(`strangerFraction must be in [0, 1), got ${fraction}`);
  const eligible = people.filter((p) => p.images.length > k);
  const rand = random(options.seed ?? 1);
  // Fisher–Yates over names, then take the first n: uniform and independent of folder order.
  const shuffled = eligible.map((p) => p.name);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const a = shuffled[i];
    const b = shuffled[j];
    if (a !== undefined && b !== undefined) {
      shuffled[i] = b;
      shuffled[j] = a;
    }
  }
  const heldOut = new Set(shuffled.slice(0, Math.round(fraction * eligible.length)));
  const split: Split = { enrol: [], queries: [], strangers: [] };
  for (const person of people) {
    if (person.images.length > k && !heldOut.has(person.name)) {
      split.enrol.push({ person: person.name, images: person.images.slice(0, k) });
      for (const path of person.images.slice(k))
        split.queries.push({ path, kind: 'genuine', person: person.name });
    } else {
      split.strangers.push(person.name);
      for (const path of person.images) split.queries.push({ path, kind: 'stranger', person: person.name });
    }
  }
  for (const path of negatives) split.queries.push({ path, kind: 'negative', person: undefined });
  return split;
}
