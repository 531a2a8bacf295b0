import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_DIR as sharedDir } from '@frs/test-fixtures/shared';
import {
  type AnalyzedImage,
  atThreshold,
  DatasetError,
  listDataset,
  listImages,
  perPersonErrors,
  rank1,
  type ScoredQuery,
  scoreSplit,
  splitDataset,
  summarise,
  thresholdForFar,
  thresholdGrid,
} from '@frs/vision/eval';
import { ENROLMENT_QUALITY } from '@frs/vision/gallery';
import { describe, expect, it } from 'vitest';

const identities = join(sharedDir, 'faces', 'identities');

function queryFactory(overrides: Partial<ScoredQuery> & Pick<ScoredQuery, 'kind'>): ScoredQuery {
  return {
    path: 'x.jpg',
    person: undefined,
    faces: 1,
    best: undefined,
    impostorSimilarities: [],
    ...overrides,
  };
}

/** Three genuine (one misnamed), one stranger, two negatives (one with no face). */
function scoredFactory(): ScoredQuery[] {
  return [
    queryFactory({
      kind: 'genuine',
      person: 'a',
      best: { name: 'a', similarity: 0.8 },
      truthSimilarity: 0.8,
      impostorSimilarities: [0.1],
    }),
    queryFactory({
      kind: 'genuine',
      person: 'a',
      best: { name: 'a', similarity: 0.45 },
      truthSimilarity: 0.45,
      impostorSimilarities: [0.2],
    }),
    queryFactory({
      kind: 'genuine',
      person: 'b',
      best: { name: 'a', similarity: 0.6 },
      truthSimilarity: 0.3,
      impostorSimilarities: [0.6],
    }),
    queryFactory({
      kind: 'stranger',
      person: 's',
      best: { name: 'b', similarity: 0.5 },
      impostorSimilarities: [0.5, 0.1],
    }),
    queryFactory({
      kind: 'negative',
      best: { name: 'a', similarity: 0.2 },
      impostorSimilarities: [0.2, 0.0],
    }),
    queryFactory({ kind: 'negative', faces: 0 }),
  ];
}

describe('Function: listDataset()', () => {
  it('returns 32 people with 142 images in sorted order when given the shared identities folder', async () => {
    const people = await listDataset(identities);
    expect(people).toHaveLength(32);
    expect(people.reduce((n, p) => n + p.images.length, 0)).toBe(142);
    const names = people.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    for (const p of people) expect(p.images).toEqual([...p.images].sort());
  });

  it('throws DatasetError when the folder does not exist', async () => {
    await expect(listDataset(join(sharedDir, 'no-such-folder'))).rejects.toThrow(DatasetError);
  });
});

describe('Function: splitDataset()', () => {
  it('returns 27 enrolled people, 5 strangers and 110 genuine queries when K is 1', async () => {
    const negatives = await listImages(join(sharedDir, 'faces', 'other', 'no-face'));
    const split = splitDataset(await listDataset(identities), { k: 1 }, negatives);
    expect(split.enrol).toHaveLength(27);
    expect(split.strangers).toHaveLength(5);
    expect(split.queries.filter((q) => q.kind === 'genuine')).toHaveLength(110);
    expect(split.queries.filter((q) => q.kind === 'stranger')).toHaveLength(5);
    expect(split.queries.filter((q) => q.kind === 'negative')).toHaveLength(negatives.length);
    for (const e of split.enrol) expect(e.images[0]).toMatch(new RegExp(`/${e.person}/[^/]+$`));
  });

  it('returns people with K or fewer photos as strangers when K is 2', async () => {
    const split = splitDataset(await listDataset(identities), { k: 2 });
    expect(split.enrol).toHaveLength(20);
    expect(split.strangers).toHaveLength(12);
    expect(split.queries.filter((q) => q.kind === 'genuine')).toHaveLength(83);
    expect(split.queries.filter((q) => q.kind === 'stranger')).toHaveLength(19);
  });

  it('returns the same held-out strangers for the same seed and other ones for another seed', () => {
    const people = Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, images: ['1.jpg', '2.jpg'] }));
    const a = splitDataset(people, { k: 1, strangerFraction: 0.25, seed: 3 });
    const b = splitDataset(people, { k: 1, strangerFraction: 0.25, seed: 3 });
    const c = splitDataset(people, { k: 1, strangerFraction: 0.25, seed: 4 });
    expect(a.strangers).toHaveLength(5);
    expect(a.strangers).toEqual(b.strangers);
    expect(a.strangers).not.toEqual(c.strangers);
  });

  it('throws RangeError when K is not a positive integer', () => {
    expect(() => splitDataset([], { k: 0 })).toThrow(RangeError);
  });
});

describe('Function: atThreshold()', () => {
  it('returns top-1, FAR, FRR and counts by the protocol rules', () => {
    const p = atThreshold(scoredFactory(), 0.5);
    expect(p).toMatchObject({
      genuineCorrect: 1,
      falseRejects: 1,
      misidentified: 1,
      strangersAccepted: 1,
      negativesAccepted: 0,
    });
    expect(p.top1).toBeCloseTo(1 / 3);
    expect(p.frr).toBeCloseTo(2 / 3);
    expect(p.far).toBeCloseTo(1 / 3);
    expect(p.strangerUnknownRate).toBe(0);
    expect(p.negativeNoNameRate).toBe(1);
    expect(p.tar).toBeCloseTo(1 / 3);
    expect(p.verificationFar).toBeCloseTo(2 / 7);
  });
});

describe('Function: rank1()', () => {
  it('returns the fraction of genuine queries whose best person is right, ignoring thresholds', () => {
    expect(rank1(scoredFactory())).toBeCloseTo(2 / 3);
  });
});

describe('Function: thresholdForFar()', () => {
  it('returns a threshold just above the highest impostor score when the target FAR is 0', () => {
    const t = thresholdForFar(scoredFactory(), 0);
    expect(t).toBe(0.501);
    expect(atThreshold(scoredFactory(), t ?? 1).far).toBe(0);
  });

  it('returns a threshold that lets one of three impostors through when the target FAR is 1/3', () => {
    expect(thresholdForFar(scoredFactory(), 1 / 3)).toBe(0.201);
  });
});

describe('Function: thresholdGrid()', () => {
  it('returns evenly spaced thresholds without floating-point drift', () => {
    expect(thresholdGrid(0.3, 0.4, 0.05)).toEqual([0.3, 0.35, 0.4]);
    expect(thresholdGrid()).toHaveLength(91);
  });
});

describe('Function: perPersonErrors()', () => {
  it('returns people ordered by errors, then rank-1 errors, with the wrong answers listed', () => {
    const errors = perPersonErrors(scoredFactory(), 0.5);
    expect(errors.map((e) => [e.person, e.errorsAtThreshold])).toEqual([
      ['b', 1],
      ['a', 1],
      ['s', 1],
    ]);
    expect(errors.find((e) => e.person === 'b')?.wrong[0]).toMatchObject({ answer: 'a', similarity: 0.6 });
  });
});

describe('Function: scoreSplit()', () => {
  const model = { id: 'm', dimension: 2 };
  const face = (x: number, y: number, area = 100) => ({
    area,
    embedding: { modelId: 'm', vector: Float32Array.of(x, y) },
  });

  it('returns the best similarity over all faces of a query and enrols the largest enrolment face', () => {
    const images = new Map<string, AnalyzedImage>([
      ['a1', { faces: [face(0, 1, 10), face(1, 0, 500)] }],
      ['b1', { faces: [face(0, 1)] }],
      ['q', { faces: [face(0.2, 1), face(1, 0.1)] }],
      ['s', { faces: [] }],
    ]);
    const { gallery, scored, enrolmentFailures } = scoreSplit(
      {
        enrol: [
          { person: 'a', images: ['a1'] },
          { person: 'b', images: ['b1'] },
        ],
        queries: [
          { path: 'q', kind: 'genuine', person: 'a' },
          { path: 's', kind: 'stranger', person: 's' },
        ],
        strangers: ['s'],
      },
      images,
      model,
    );
    expect(enrolmentFailures).toEqual([]);
    expect(Array.from(gallery.people[0]?.embeddings[0]?.vector ?? [])).toEqual([1, 0]);
    expect(scored[0]?.best?.name).toBe('a');
    expect(scored[0]?.truthSimilarity).toBeCloseTo(1 / Math.hypot(1, 0.1), 6);
    expect(scored[0]?.impostorSimilarities[0]).toBeCloseTo(1 / Math.hypot(0.2, 1), 6);
    expect(scored[1]).toMatchObject({ faces: 0, best: undefined, impostorSimilarities: [] });
    const report = summarise(scored, {
      modelId: 'm',
      k: 1,
      strangerFraction: 0,
      seed: 1,
      threshold: 0.9,
      targetFar: 0,
    });
    expect(report.counts).toMatchObject({
      enrolledPeople: 1,
      strangers: 1,
      genuineQueries: 1,
      strangerQueries: 1,
    });
    expect(report.operating.top1).toBe(1);
  });

  it('returns an enrolment failure when the enrolment photo has no face', () => {
    const { enrolmentFailures, gallery } = scoreSplit(
      { enrol: [{ person: 'a', images: ['a1'] }], queries: [], strangers: [] },
      new Map([['a1', { faces: [] }]]),
      model,
    );
    expect(enrolmentFailures).toEqual([{ person: 'a', path: 'a1', reason: 'no_face' }]);
    expect(gallery.people).toHaveLength(0);
  });

  it('returns a low_quality enrolment failure, and enrols nothing, when the face fails the quality rule', () => {
    const face = (sharpness: number) => ({
      area: 100,
      embedding: { modelId: model.id, vector: new Float32Array(model.dimension).fill(1) },
      quality: { eyeDistance: 40, sharpness, yaw: 0.1, pitch: 0.5 },
    });
    const split = {
      enrol: [{ person: 'a', images: ['a1', 'a2'] }],
      queries: [],
      strangers: [],
    };
    const images = new Map([
      ['a1', { faces: [face(3)] }],
      ['a2', { faces: [face(300)] }],
    ]);
    const gated = scoreSplit(split, images, model, 'centroid', ENROLMENT_QUALITY);
    expect(gated.enrolmentFailures).toEqual([
      {
        person: 'a',
        path: 'a1',
        reason: 'low_quality',
        issues: [{ kind: 'blurred', value: 3, limit: ENROLMENT_QUALITY.minSharpness }],
      },
    ]);
    expect(gated.gallery.people[0]?.embeddings).toHaveLength(1);
    expect(scoreSplit(split, images, model).gallery.people[0]?.embeddings).toHaveLength(2);
    expect(() =>
      scoreSplit(
        split,
        new Map([['a1', { faces: [{ area: 100, embedding: face(300).embedding }] }]]),
        model,
        'max',
        ENROLMENT_QUALITY,
      ),
    ).toThrow(/no quality recorded/);
  });
});

describe('Function: listDataset() with links', () => {
  it('returns people whose folders are symbolic links', async () => {
    const root = await mkdtemp(join(tmpdir(), 'frs-dataset-'));
    try {
      await symlink(join(identities, 'John_Salley'), join(root, 'John_Salley'));
      await mkdir(join(root, 'empty'));
      const people = await listDataset(root);
      expect(people.map((p) => p.name)).toEqual(['John_Salley']);
      expect(people[0]?.images).toHaveLength(11);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
