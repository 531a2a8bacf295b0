/** A names file or one name in it breaks the rules of {@link parseNamesCsv} / {@link validatePersonName}. */
export class PersonNameError extends Error {
  override name = 'PersonNameError';
}

/**
 * Names the recogniser answers with for a face that matched nobody or a frame without a face; a person
 * enrolled under one of them would be indistinguishable from those answers.
 */
export const RESERVED_NAMES: readonly string[] = ['unknown', 'no_face'];

/** Longest name, in code points. */
export const MAX_NAME_LENGTH = 64;

const ALLOWED = /^[\p{L}\p{M}\p{N} ._\-',]+$/u;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Checks one person name and returns it in canonical form: trimmed and NFC-normalised (so the same name
 * typed on macOS and on Linux is one person), 1–64 code points of Unicode letters, marks and digits plus
 * space `. - _ ' ,`, with at least one letter or digit, and neither `unknown` nor `no_face` in any case.
 *
 * @throws {@link PersonNameError} saying which rule the name breaks.
 * @example
 * ```ts
 * validatePersonName(' Zoë O\'Neil '); // "Zoë O'Neil"
 * ```
 */
export function validatePersonName(raw: string): string {
  const name = raw.trim().normalize('NFC');
  const shown = JSON.stringify(raw);
  const length = [...name].length;
  if (length === 0) throw new PersonNameError('a name is empty');
  if (length > MAX_NAME_LENGTH)
    throw new PersonNameError(`name ${shown} has ${length} characters, more than ${MAX_NAME_LENGTH}`);
  if (!ALLOWED.test(name)) {
    throw new PersonNameError(
      `name ${shown} may hold only letters, marks, digits, space and . - _ ' , characters`,
    );
  }
  if (!HAS_LETTER_OR_DIGIT.test(name)) throw new PersonNameError(`name ${shown} has no letter or digit`);
  if (RESERVED_NAMES.includes(name.toLowerCase()))
    throw new PersonNameError(`name ${shown} is reserved for the recogniser's answers`);
  return name;
}

/**
 * Parses a names file: one name per line or comma-separated (or both), in order. A field in double quotes
 * may hold commas (`"Biden, Joe"`, with `""` for a quote). Blank lines and empty unquoted fields are
 * skipped; every name goes through {@link validatePersonName}.
 *
 * @throws {@link PersonNameError} naming the line of the first bad name or an unterminated quote.
 * @example
 * ```ts
 * parseNamesCsv('Bean,Bean\n"Biden, Joe"\n'); // ['Bean', 'Bean', 'Biden, Joe']
 * ```
 */
export function parseNamesCsv(text: string): string[] {
  const names: string[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let field = '';
  let quoted = false;
  let inQuotes = false;
  const end = (): void => {
    if (field.trim().length > 0 || quoted) {
      try {
        names.push(validatePersonName(field));
      } catch (error) {
        if (error instanceof PersonNameError) throw new PersonNameError(`line ${line}: ${error.message}`);
        throw error;
      }
    }
    field = '';
    quoted = false;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inQuotes) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim().length === 0) {
      inQuotes = true;
      quoted = true;
      field = '';
    } else if (c === ',') {
      end();
    } else if (c === '\n') {
      end();
      line++;
    } else if (c !== '\r') {
      field += c;
    }
  }
  if (inQuotes) throw new PersonNameError(`line ${line}: a quoted name is not closed`);
  end();
  return names;
}
