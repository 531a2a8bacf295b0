import { defineCommand, jsonOption, signOptions, UsageError } from '../command.ts';
import { createEnrolClient } from '../enrol-client.ts';
import { shouldSign } from '../util/function-url.ts';

const usage = `Usage: frs people list [--url <enrol URL>] [--json]
       frs people show <Person> [--url <enrol URL>] [--json]
       frs people remove <Person> [--photo <photo id>] [--url <enrol URL>]

Lists, shows and removes the people of the managed gallery through the enroller's API. Removing a person
deletes their vectors and face thumbnails, including older versions kept by the bucket.

Options:
  --url <url>          the enroller's Function URL (default http://127.0.0.1:8081/, the local stack)
  --sign / --no-sign   SigV4 on calls (default: sign non-loopback URLs, as AWS_IAM needs)
  --photo <id>         remove only this photo (the person goes with their last photo)
  --json               print JSON on stdout
  -h, --help           this text`;

export const people = defineCommand({
  name: 'people',
  summary: 'list, show or remove the people of the managed gallery (through the enroller API)',
  usage,
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8081/' },
    ...signOptions,
    photo: { type: 'string' },
    ...jsonOption,
  },
  async run({ values, positionals }) {
    const client = createEnrolClient({ url: values.url, sign: shouldSign(values.url, values) });
    const [action, name] = positionals;
    if (action === 'list') {
      const list = await client.list();
      if (values.json) console.log(JSON.stringify(list));
      else {
        for (const p of list.people) console.log(`${p.name}\t${p.photos} photo${p.photos === 1 ? '' : 's'}`);
        console.log(`${list.people.length} people`);
      }
      return 0;
    }
    if (name === undefined) throw new UsageError(`frs people ${action ?? '<action>'} needs a person's name`);
    if (action === 'show') {
      const person = await client.show(name);
      if (values.json) console.log(JSON.stringify(person));
      else {
        console.log(`${person.name}: ${person.photos.length} photos`);
        for (const p of person.photos) {
          const box = p.box.map((v) => Math.round(v)).join(',');
          console.log(
            `  ${p.photo_id}  ${p.enrolled_at}  box ${box}  score ${p.score.toFixed(3)}  ${p.filename ?? ''}`,
          );
        }
      }
      return 0;
    }
    if (action === 'remove') {
      if (values.photo === undefined) await client.removePerson(name);
      else await client.removePhoto(name, values.photo);
      const what = values.photo === undefined ? name : `photo ${values.photo} of ${name}`;
      console.log(
        values.json ? JSON.stringify({ removed: name, photo_id: values.photo ?? null }) : `removed ${what}`,
      );
      return 0;
    }
    throw new UsageError(`unknown action '${action ?? ''}': use list, show or remove`);
  },
});
