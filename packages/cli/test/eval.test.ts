import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UsageError } from '../src/command.ts';
import { evalCommand } from '../src/commands/eval.ts';
import { sharedPath } from './fixtures.ts';

const faces = sharedPath('faces');

const ReportSchema = z.object({
  modelId: z.string(),
  k: z.number(),
  rank1: z.number(),
  counts: z.object({ genuineQueries: z.number(), strangerQueries: z.number(), negativeQueries: z.number() }),
  operating: z.object({ threshold: z.number(), top1: z.number(), strangerUnknownRate: z.number() }),
  sweep: z.array(z.object({ threshold: z.number(), far: z.number(), frr: z.number() })).min(10),
  queries: z.array(z.object({ path: z.string(), kind: z.string() })),
});

const PointSchema = z.object({ genuineQueries: z.number(), strangerQueries: z.number(), far: z.number() });
const ScaleReportSchema = z.object({
  eligible: z.number(),
  rows: z.array(z.object({ size: z.number(), fixed: PointSchema, rule: PointSchema })),
  extrapolation: z.array(z.object({ size: z.number(), threshold: z.number() })),
});

// A small real dataset (links to the shared photos) so the command runs on the real models in seconds:
// three people with several small photos, one stranger, two photos without a face.
describe('Function: evalCommand.run()', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'frs-eval-cli-'));
    const people: Record<string, string[]> = {
      bbt_penny: ['00.png', '01.png', '02.png'],
      bbt_sheldon: ['00.png', '01.png', '02.png'],
      John_Savage: ['00.jpg', '01.jpg', '02.jpg'],
      Nathalie_Baye: ['00.jpg'],
    };
    for (const [person, files] of Object.entries(people)) {
      await mkdir(join(root, 'people', person), { recursive: true });
      for (const file of files) {
        await symlink(join(faces, 'identities', person, file), join(root, 'people', person, file));
      }
    }
    await mkdir(join(root, 'negatives'));
    for (const file of ['apple.jpg', 'LinuxLogo.jpg']) {
      await symlink(join(faces, 'other', 'no-face', file), join(root, 'negatives', file));
    }
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a JSON report, an HTML page with inline SVG and a PNG when given a labelled folder', async () => {
    const json = join(root, 'report.json');
    const html = join(root, 'report.html');
    const png = join(root, 'report.png');
    const code = await evalCommand.run([
      join(root, 'people'),
      '--negatives',
      join(root, 'negatives'),
      '--json',
      json,
      '--report',
      html,
      '--report',
      png,
    ]);
    expect(code).toBe(0);
    const report = ReportSchema.parse(JSON.parse(await readFile(json, 'utf8')));
    expect(report.counts).toEqual({ genuineQueries: 6, strangerQueries: 1, negativeQueries: 2 });
    expect(report.rank1).toBe(1);
    expect(report.operating.strangerUnknownRate).toBe(1);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('ROC');
    expect(page).not.toMatch(/<script|<link|src="http/);
    const meta = await sharp(await readFile(png)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 960, 420]);
  });

  it('writes a scale report and a FAR-vs-size PNG, and reuses the embedding cache, when given --gallery-size', async () => {
    // 6 lfw-dev people with 3 photos each and 8 single-photo strangers: 26 photos, seconds on the real models.
    const lfw = join(faces, 'lfw-dev');
    const scaleRoot = join(root, 'lfw');
    const known = [
      'Abdullah',
      'Abdullah_Gul',
      'Abdullah_al-Attiyah',
      'Abel_Pacheco',
      'Adam_Sandler',
      'Adel_Al-Jubeir',
    ];
    const singles = [
      'AJ_Cook',
      'AJ_Lamas',
      'Abbas_Kiarostami',
      'Abdel_Aziz_Al-Hakim',
      'Abdul_Majeed_Shobokshi',
      'Abdulaziz_Kamilov',
      'Abdullah_Nasseef',
      'Abel_Aguilar',
    ];
    for (const person of [...known, ...singles]) {
      await mkdir(join(scaleRoot, person), { recursive: true });
      const count = known.includes(person) ? 3 : 1;
      for (let i = 1; i <= count; i++) {
        const file = `${person}_${String(i).padStart(4, '0')}.jpg`;
        await symlink(join(lfw, person, file), join(scaleRoot, person, file));
      }
    }
    const json = join(root, 'scale.json');
    const png = join(root, 'scale.png');
    const cacheDir = join(root, 'cache');
    const args = [
      scaleRoot,
      '--gallery-size',
      '3,6',
      '--repeats',
      '2',
      '--cache-dir',
      cacheDir,
      '--json',
      json,
    ];
    expect(await evalCommand.run([...args, '--report', png])).toBe(0);
    const report = ScaleReportSchema.parse(JSON.parse(await readFile(json, 'utf8')));
    expect(report.eligible).toBe(6);
    expect(report.rows.map((r) => [r.size, r.rule.genuineQueries, r.rule.strangerQueries])).toEqual([
      [3, 2 * 3, 2 * (3 * 3 + 8)],
      [6, 2 * 6, 2 * 8],
    ]);
    // 26 photos give too few stranger scores for an impostor model: no extrapolation, not a crash.
    expect(report.extrapolation).toEqual([]);
    const meta = await sharp(await readFile(png)).metadata();
    expect(meta.format).toBe('png');
    const [cached] = await readdir(cacheDir);
    const before = (await stat(join(cacheDir, cached ?? ''))).mtimeMs;
    expect(await evalCommand.run(args)).toBe(0);
    expect((await stat(join(cacheDir, cached ?? ''))).mtimeMs).toBe(before);
    expect(ScaleReportSchema.parse(JSON.parse(await readFile(json, 'utf8'))).rows).toEqual(report.rows);
  });

  it('throws UsageError when --k is not a positive integer or the report type is unknown', async () => {
    await expect(evalCommand.run([join(root, 'people'), '--k', '0'])).rejects.toThrow(UsageError);
    await expect(evalCommand.run([join(root, 'people'), '--report', 'x.pdf'])).rejects.toThrow(UsageError);
    await expect(evalCommand.run([])).rejects.toThrow(UsageError);
    await expect(evalCommand.run([join(root, 'people'), '--gallery-size', '10,x'])).rejects.toThrow(
      UsageError,
    );
    await expect(
      evalCommand.run([join(root, 'people'), '--gallery-size', '10', '--report', 'x.html']),
    ).rejects.toThrow(UsageError);
  });
});
