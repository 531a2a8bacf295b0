import { PersonName } from '@frs/contracts/enrol';
import { CliError } from '../errors.ts';

/** A names file or one name in it breaks the rules of {@link parseNamesCsv} / {@link validatePersonName}. */
export class PersonNameError extends CliError {
  override readonly code = 'person_name';
}

/**
 * Checks one person name and returns it in canonical form: trimmed, then {@link PersonName}'s rules (NFC,
 * 1–64 letters, marks, digits, space and `. - _ '`, `unknown` and `no_face` reserved), the same as the
 * enroller's API, so an imported gallery holds only names the service accepts.
 *
 * @throws {@link PersonNameError} saying which rule the name breaks.
 * @example
 * ```ts
 * validatePersonName(' Zoë O\'Neil '); // "Zoë O'Neil"
 * ```
 */
export function validatePersonName(raw: string): string {
  const parsed = PersonName.safeParse(raw.trim());
  if (parsed.success) return parsed.data;
  const reason = parsed.error.issues.map((i) => i.message).join('; ');
  throw new PersonNameError(`name ${JSON.stringify(raw)} ${reason}`);
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
