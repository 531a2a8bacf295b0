import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGallery, readTorchGallery } from '@frs/vision/gallery';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PersonNameError, parseNamesCsv, validatePersonName } from '../src/util/names.ts';
import { frs, SHARED_DIR } from './fixtures.ts';

const galleryPt = join(SHARED_DIR, 'galleries', 'resnetV1_video_weights.pt');
const galleryJson = join(SHARED_DIR, 'galleries', 'resnetV1_video_weights.json');
const ReferenceSchema = z.object({ names: z.array(z.string()) });

describe('Function: frs import', () => {
  let dir: string;
  let names: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'frs-cli-import-'));
    names = ReferenceSchema.parse(JSON.parse(await readFile(galleryJson, 'utf8'))).names;
  });

  it('returns 0 and writes a gallery equal to the reader output when given the real gallery and its names', async () => {
    const csv = join(dir, 'names.csv');
    await writeFile(csv, `${names.join('\n')}\n`);
    const out = join(dir, 'imported.json');
    const run = await frs(['import', galleryPt, '--names', csv, '--out', out, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = z
      .object({ vectors: z.number(), people: z.array(z.object({ name: z.string(), vectors: z.number() })) })
      .parse(JSON.parse(run.stdout));
    expect(report.vectors).toBe(79);
    expect(report.people).toHaveLength(8);
    const written = parseGallery(await readFile(out), { id: 'inception-resnet-v1-vggface2', dimension: 512 });
    const expected = readTorchGallery(await readFile(galleryPt));
    expect(written.people.map((p) => p.name)).toEqual(expected.people.map((p) => p.name));
    written.people.forEach((person, i) => {
      expect(person.embeddings.map((e) => Array.from(e.vector))).toEqual(
        expected.people[i]?.embeddings.map((e) => Array.from(e.vector)),
      );
    });
  });

  it('returns 0 and uses the CSV names in the file order when they are comma-separated and renamed', async () => {
    const renamed = names.map((n) => (n === names[0] ? '" Mr Bean "' : `${n} Ö`));
    const csv = join(dir, 'renamed.csv');
    await writeFile(csv, renamed.join(','));
    const out = join(dir, 'renamed.json');
    const run = await frs(['import', galleryPt, '--names', csv, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/imported 79 vectors of 8 people/);
    const written = parseGallery(await readFile(out));
    expect(written.people[0]?.name).toBe('Mr Bean');
    expect(written.people.slice(1).every((p) => p.name.endsWith(' Ö'))).toBe(true);
  });

  it('returns 1 naming both counts and writes nothing when the CSV has one name too few', async () => {
    const csv = join(dir, 'short.csv');
    await writeFile(csv, names.slice(1).join('\n'));
    const out = join(dir, 'short.json');
    const run = await frs(['import', galleryPt, '--names', csv, '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot import .*79 embeddings but 78 names/);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('returns 1 naming the line when a name is reserved or has a forbidden character', async () => {
    for (const bad of ['unknown', 'No_Face', 'Bob<script>']) {
      const csv = join(dir, 'bad.csv');
      await writeFile(csv, [...names.slice(0, 5), bad, ...names.slice(6)].join('\n'));
      const run = await frs(['import', galleryPt, '--names', csv, '--out', join(dir, 'bad.json')]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/bad names in .*line 6: name/);
    }
  });

  it('returns 1 with the reader reason and no stack trace when the .pt file is truncated', async () => {
    const truncated = join(dir, 'truncated.pt');
    await writeFile(truncated, (await readFile(galleryPt)).subarray(0, 100_000));
    const csv = join(dir, 'names.csv');
    await writeFile(csv, names.join('\n'));
    const run = await frs(['import', truncated, '--names', csv, '--out', join(dir, 'truncated.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^frs import: cannot import .*truncated\.pt \(not a zip archive/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('returns 1 when --out exists and --force is not given, 2 when --names is missing', async () => {
    const out = join(dir, 'exists.json');
    await writeFile(out, '{}');
    const csv = join(dir, 'names.csv');
    await writeFile(csv, names.join('\n'));
    const refused = await frs(['import', galleryPt, '--names', csv, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/exists; pass --force/);
    expect(await readFile(out, 'utf8')).toBe('{}');
    expect((await frs(['import', galleryPt, '--names', csv, '--out', out, '--force'])).code).toBe(0);
    const usage = await frs(['import', galleryPt, '--out', out]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--names <csv> is required/);
  });
});

describe('Function: parseNamesCsv()', () => {
  it('returns names from lines and commas, unquoting and skipping blanks, when given a mixed file', () => {
    expect(parseNamesCsv('\uFEFFAda, Bob\r\n\r\n"Joe Biden",  "John Smith Jr."\nZoë,\n')).toEqual([
      'Ada',
      'Bob',
      'Joe Biden',
      'John Smith Jr.',
      'Zoë',
    ]);
  });

  it('throws PersonNameError when a quoted name holds a comma, which the enroller API does not allow', () => {
    expect(() => parseNamesCsv('"Biden, Joe"')).toThrow(/line 1: name "Biden, Joe" may hold only letters/);
  });

  it('throws PersonNameError when a quoted name unescapes to a forbidden quote character', () => {
    expect(() => parseNamesCsv('Ada\n"Say ""Hi"""')).toThrow(/line 2: name "Say \\"Hi\\"" may hold only/);
  });

  it('throws PersonNameError with the line when a quote is not closed', () => {
    expect(() => parseNamesCsv('Ada\n"Bob')).toThrow(/line 2: a quoted name is not closed/);
  });
});

describe('Function: validatePersonName()', () => {
  it('returns the NFC form when the name is decomposed', () => {
    expect(validatePersonName('Zoe\u0308')).toBe('Zo\u00eb');
  });

  it.each([
    ['an empty name', '   '],
    ['65 characters', 'a'.repeat(65)],
    ['a reserved name', 'Unknown'],
    ['a control character', 'Ada\u0007'],
    ['a slash', 'a/b'],
    ['only punctuation', "-.'"],
  ])('throws PersonNameError when given %s', (_, name) => {
    expect(() => validatePersonName(name)).toThrow(PersonNameError);
  });

  it('returns the name when it has 64 characters of letters from several scripts', () => {
    const name = `${'é'.repeat(29)} ${'字'.repeat(30)} 0_'`;
    expect([...name]).toHaveLength(64);
    expect(validatePersonName(name)).toBe(name);
  });
});
