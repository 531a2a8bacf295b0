import { access, readFile } from 'node:fs/promises';
import {
  type Gallery,
  readTorchGallery,
  saveGallery,
  TorchFormatError,
  vectorCount,
} from '@frs/vision/gallery';
import { defineCommand, jsonOption, UsageError } from '../command.ts';
import { PersonNameError, parseNamesCsv } from '../util/names.ts';

const usage = `Usage: frs import <file.pt> --names <names.csv> --out <gallery.json> [options]

Converts the original system's gallery, a torch.save([embeddings, names]) file, into an FRS gallery file.
The .pt file is read without Python by a restricted reader: nothing in it is executed, and a malformed or
hostile file is refused with the reason. Vectors are L2-normalised; repeated names become one person with
several vectors. The gallery keeps the original model (inception-resnet-v1-vggface2, 512-d): it can be
matched against itself, not against the vectors of FRS's own embedder.

Options:
  --names <csv>   one name per embedding, in the file's order: one per line or comma-separated; quote a
                  name with a comma ("Biden, Joe"). 1-64 letters, marks, digits, space . - _ ' , (NFC);
                  'unknown' and 'no_face' are reserved. The count must match the file's (required)
  --out <file>    gallery JSON file to write (required)
  --force         overwrite --out when it exists
  --json          print a JSON report on stdout
  -h, --help      this text`;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export const importCommand = defineCommand({
  name: 'import',
  summary: "convert the original system's torch .pt gallery into an FRS gallery file",
  usage,
  options: {
    names: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    ...jsonOption,
  },
  async run({ values, positionals }) {
    const file = positionals[0];
    if (file === undefined) throw new UsageError('a torch gallery <file.pt> is required');
    if (positionals.length > 1) throw new UsageError(`one <file.pt> at a time, got ${positionals.length}`);
    if (!values.names) throw new UsageError('--names <csv> is required');
    if (!values.out) throw new UsageError('--out <gallery.json> is required');
    const out = values.out;
    if (!values.force && (await exists(out))) throw new Error(`${out} exists; pass --force to overwrite it`);

    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(values.names));
    } catch (error) {
      throw new Error(`cannot read names from ${values.names}`, { cause: error });
    }
    let names: string[];
    try {
      names = parseNamesCsv(text);
    } catch (error) {
      if (error instanceof PersonNameError) throw new Error(`bad names in ${values.names}`, { cause: error });
      throw error;
    }
    let gallery: Gallery;
    try {
      gallery = readTorchGallery(await readFile(file), { names, source: file });
    } catch (error) {
      // main prints the cause's message after this one: "cannot import g.pt (79 embeddings but 78 names)".
      if (error instanceof TorchFormatError) throw new Error(`cannot import ${file}`, { cause: error });
      throw error;
    }
    await saveGallery(out, gallery);
    const report = {
      gallery: out,
      source: file,
      model: gallery.model,
      people: gallery.people.map((p) => ({ name: p.name, vectors: p.embeddings.length })),
      vectors: vectorCount(gallery),
    };
    console.log(
      values.json
        ? JSON.stringify(report)
        : `imported ${report.vectors} vectors of ${report.people.length} people from ${file} into ${out} (${gallery.model.id}, ${gallery.model.dimension}-d)`,
    );
    return 0;
  },
});
