import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { facePath, photosOf } from '@frs/test-fixtures/shared';
import { DatasetError, listDataset, listImages, listImageTree, listPeople } from '@frs/vision/eval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A photo library as people keep one: nested folders, links into ../shared, hidden files, non-images.
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'frs-images-'));
  await mkdir(join(root, 'Zoë', 'holiday'), { recursive: true });
  await mkdir(join(root, 'Adams'));
  await mkdir(join(root, 'empty'));
  const [salley] = await photosOf('John_Salley');
  await symlink(salley ?? '', join(root, 'Adams', '01.JPG'));
  await symlink(facePath('identities/bbt_penny/00.png'), join(root, 'Zoë', 'holiday', '00.png'));
  await symlink(facePath('identities/John_Savage'), join(root, 'Savage'));
  await writeFile(join(root, 'Adams', 'notes.txt'), 'not a photo');
  await writeFile(join(root, 'Adams', '.hidden.jpg'), 'skipped');
  await writeFile(join(root, 'Adams', 'frame.gif'), 'not decodable by the service');
  await writeFile(join(root, 'top.webp'), 'at the top');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('Function: listImageTree()', () => {
  it('returns every image at any depth with its /-separated key, in code-unit path order, links followed', async () => {
    const keys = (await listImageTree(root)).map((i) => i.key);
    expect(keys.slice(0, 2)).toEqual(['Adams/01.JPG', 'Savage/00.jpg']);
    expect(keys.filter((k) => k.startsWith('Savage/'))).toHaveLength((await photosOf('John_Savage')).length);
    // Code units: upper case sorts before lower case, as Python's sorted() does.
    expect(keys.slice(-2)).toEqual(['Zoë/holiday/00.png', 'top.webp']);
    expect((await listImageTree(root))[0]?.path).toBe(join(root, 'Adams', '01.JPG'));
  });

  it('throws DatasetError when the folder does not exist', async () => {
    await expect(listImageTree(join(root, 'missing'))).rejects.toThrow(DatasetError);
  });
});

describe('Function: listPeople()', () => {
  it('returns the people with photos directly in their folder and leaves out the others', async () => {
    const people = await listPeople(root);
    expect(people.map((p) => p.name)).toEqual(['Adams', 'Savage']);
    expect(people[0]?.images).toEqual([join(root, 'Adams', '01.JPG')]);
  });

  it('returns an empty list where listDataset() throws DatasetError when no person has a photo', async () => {
    const bare = join(root, 'empty');
    expect(await listPeople(bare)).toEqual([]);
    await expect(listDataset(bare)).rejects.toThrow(
      new DatasetError(`no <Person>/<image> files under ${bare}`),
    );
  });
});

describe('Function: listImages()', () => {
  it('returns only the images directly inside the folder', async () => {
    expect(await listImages(root)).toEqual([join(root, 'top.webp')]);
  });
});
