import { z } from 'zod';
import { BoxSchema } from './common.ts';
import { Filename } from './request.ts';
import { NO_FACE, UNKNOWN } from './result.ts';

/** Longest person name, in Unicode code points. */
export const MAX_NAME_LENGTH = 64;

// Letters and marks of any script, digits, and the few separators real names use. No slash, quote or
// angle bracket: names end up in S3 keys, URLs, logs and HTML, and none of those needs escaping then.
const NAME_CHARS = /^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} .\-_']*$/u;
const RESERVED = new Set([UNKNOWN, NO_FACE]);

/**
 * A person's name as enrolled: NFC-normalised, 1–64 code points of Unicode letters, marks and digits,
 * space, `.`, `-`, `_` and `'`, starting with a letter or digit and not ending with a space. `unknown` and
 * `no_face` (any case) are reserved: they are what a result says when nobody, or no face, matched.
 *
 * @example
 * ```ts
 * PersonName.parse('Zoë Ng'); // 'Zoë Ng' (NFC)
 * PersonName.safeParse('unknown').success; // false
 * ```
 */
export const PersonName = z
  .string({ error: 'must be a string' })
  .transform((s) => s.normalize('NFC'))
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .refine((s) => [...s].length <= MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
      .refine(
        (s) => NAME_CHARS.test(s) && !s.endsWith(' '),
        "may hold only letters, digits, spaces and . - _ ' (starting with a letter or digit, not ending with a space)",
      )
      .refine((s) => !RESERVED.has(s.toLowerCase()), `'${UNKNOWN}' and '${NO_FACE}' are reserved`),
  )
  .describe('Person name: NFC, 1-64 letters, digits, spaces and . - _ \'; "unknown" and "no_face" reserved.');

/**
 * Id of one enrolled photo (a random UUID the enroller chose).
 *
 * @example
 * ```ts
 * PhotoId.parse('0b6f8a8e-3f57-4d5c-9a34-4b3f1c0d2e11');
 * ```
 */
export const PhotoId = z.uuid({ error: 'must be a photo id (a UUID)' });

/**
 * Body of `POST /people/{name}/photos` on the enroller's Function URL.
 *
 * @example
 * ```ts
 * EnrolRequest.parse({ content: '/9j/4AAQ…', filename: 'ada-01.jpg' });
 * ```
 */
export const EnrolRequest = z
  .object({
    content: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a base64 string') })
      .min(1, 'must not be empty')
      .describe('The photo (JPEG, PNG or WebP) as standard base64; its largest face is enrolled.'),
    filename: Filename.optional().describe(
      'A label kept with the photo, never used to open a file; the same rules as the detector request.',
    ),
  })
  .describe('FRS enrolment request (POST /people/{name}/photos)');

/** A parsed {@link EnrolRequest}. */
export type EnrolRequest = z.infer<typeof EnrolRequest>;

/** The detected face a photo was enrolled with. */
export const EnrolledFace = z.object({
  box: BoxSchema,
  score: z.number().min(0).max(1),
});

/**
 * `201` answer of `POST /people/{name}/photos`.
 *
 * @example
 * ```ts
 * const created: EnrolResponse = { name: 'Ada', photo_id: '0b6f…', face: { box: [10, 20, 110, 140], score: 0.99 } };
 * ```
 */
export const EnrolResponse = z
  .object({ name: z.string(), photo_id: PhotoId, face: EnrolledFace })
  .describe('FRS enrolment 201 response');

/** A parsed {@link EnrolResponse}. */
export type EnrolResponse = z.infer<typeof EnrolResponse>;

/**
 * One photo of a person, as `GET /people/{name}` lists it.
 *
 * @example
 * ```ts
 * const photo: PersonPhoto = { photo_id: '0b6f…', box: [10, 20, 110, 140], score: 0.99, enrolled_at: '2026-12-02T10:00:00.000Z' };
 * ```
 */
export const PersonPhoto = z.object({
  photo_id: PhotoId,
  box: BoxSchema,
  score: z.number().min(0).max(1),
  enrolled_at: z.iso.datetime({ offset: true }),
  filename: z.string().optional(),
});

/** A parsed {@link PersonPhoto}. */
export type PersonPhoto = z.infer<typeof PersonPhoto>;

/**
 * `200` answer of `GET /people/{name}`.
 *
 * @example
 * ```ts
 * const ada: PersonDetail = { name: 'Ada', photos: [photo] };
 * ```
 */
export const PersonDetail = z
  .object({ name: z.string(), photos: z.array(PersonPhoto) })
  .describe('FRS person (GET /people/{name})');

/** A parsed {@link PersonDetail}. */
export type PersonDetail = z.infer<typeof PersonDetail>;

/**
 * `200` answer of `GET /people`: every enrolled person with their photo count, sorted by name.
 *
 * @example
 * ```ts
 * const list: PeopleList = { people: [{ name: 'Ada', photos: 3 }] };
 * ```
 */
export const PeopleList = z
  .object({ people: z.array(z.object({ name: z.string(), photos: z.int().nonnegative() })) })
  .describe('FRS people (GET /people)');

/** A parsed {@link PeopleList}. */
export type PeopleList = z.infer<typeof PeopleList>;
