import { describe, expect, it } from 'vitest';
import { EnrolRequest, MAX_NAME_LENGTH, PersonName } from '../src/enrol.ts';

const issuesOf = (input: unknown): string[] => {
  const parsed = PersonName.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
};

describe('Function: PersonName.parse()', () => {
  it('returns the NFC form when the name is written with combining marks', () => {
    expect(PersonName.parse('Zoe\u0308 Ng')).toBe('Zoë Ng');
    expect(PersonName.parse("Jean-Luc O'Neil")).toBe("Jean-Luc O'Neil");
    expect(PersonName.parse('李小龙')).toBe('李小龙');
  });

  it('returns the reserved-name error when the name is unknown or no_face in any case', () => {
    expect(issuesOf('unknown')).toMatchInlineSnapshot(`
      [
        "'unknown' and 'no_face' are reserved",
      ]
    `);
    expect(issuesOf('No_Face')).toHaveLength(1);
  });

  it('returns the character-set error when the name holds markup, a path or edge spaces', () => {
    for (const name of ['<b>x</b>', 'a/b', '../x', ' x', 'x ', 'tab\there', 'a\u0000b', '😀']) {
      expect(issuesOf(name), name).toEqual([
        "may hold only letters, digits, spaces and . - _ ' (starting with a letter or digit, not ending with a space)",
      ]);
    }
  });

  it('returns a length error when the name has more than 64 code points', () => {
    expect(PersonName.safeParse('界'.repeat(MAX_NAME_LENGTH)).success).toBe(true);
    expect(issuesOf('界'.repeat(MAX_NAME_LENGTH + 1))).toContain('must be at most 64 characters');
    expect(issuesOf('')).toContain('must not be empty');
  });
});

describe('Function: EnrolRequest.parse()', () => {
  it('returns a failed parse when content is missing or not a string', () => {
    expect(EnrolRequest.safeParse({ filename: 'a.jpg' }).success).toBe(false);
    expect(EnrolRequest.safeParse({ content: 5 }).success).toBe(false);
    expect(EnrolRequest.parse({ content: 'aGk=', extra: 1 })).toEqual({ content: 'aGk=' });
  });
});
