// Hostile values for the fuzz suites: strings that break naive code (empty, huge, control
// characters, lone surrogates, right-to-left marks, NULs), numbers at and past every limit, and
// JSON values of every type, nested or not.
import fc from 'fast-check';

/** One UTF-16 code unit that is half of a surrogate pair: not valid Unicode on its own. */
const loneSurrogate = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff');

const oddPieces = fc.constantFrom(
  '\u0000', '\u0007', '\u001b[2J', '\r\n', '\t', '\u00a0', '\u2028', '\u2029', '\u200b', '\u200e', '\u202e', '\ufeff',
  '\ufffd', '\uffff', '😀', '👩‍👩‍👧', 'é', 'e\u0301', 'Ω', 'ﷺ', '𝕏', '%', '%00', '%ZZ', '%ED%A0%80', '../', '..\\', '\\',
  '"', "'", '`', '<script>', '${x}', '{{x}}', '__proto__', 'constructor', 'toString', 'null', 'undefined', 'NaN',
  '0', '-1', '1e309', '0x10', ' 1 ', '01', '1.0', 'DROP TABLE messages;--', "' OR 1=1 --",
);

/** A string a client might send: printable, binary, full Unicode, or stitched from odd pieces. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: fc.oneof(oddPieces, loneSurrogate, fc.string({ maxLength: 3 })), minLength: 1, maxLength: 12 }), weight: 4 },
  { arbitrary: fc.constantFrom('', ' ', '   \n\t ', '\u0000'), weight: 2 },
  { arbitrary: loneSurrogate, weight: 1 },
  // At and past the limits of the fields: user ids (128), client_msg_id (64), titles (200), text (4000).
  {
    arbitrary: fc
      .tuple(fc.constantFrom(63, 64, 65, 127, 128, 129, 200, 201, 3999, 4000, 4001, 9000), fc.constantFrom('a', 'я', '😀', ' ', '\ud800'))
      .map(([n, c]) => c.repeat(n)),
    weight: 1,
  },
);

/** Numbers at every edge: zero, negatives, fractions, just past the safe integers, the largest doubles. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 1.5, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, Number.MIN_VALUE, Number.EPSILON),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, with hostile leaves; objects may carry prototype-polluting keys. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'type', 'text', 'user_id')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A value for a field that expects an id (user, dialog, message): right-looking or hostile. */
export const hostileId: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileNumber, weight: 3 },
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: fc.nat({ max: 50 }), weight: 2 },
  { arbitrary: fc.nat({ max: 50 }).map(String), weight: 1 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}, [1], { id: 1 }), weight: 1 },
);

/**
 * JSON text, as JSON.stringify would write it or as it never would: lone-surrogate escapes,
 * numbers beyond doubles, duplicate keys, comments, trailing commas, deep nesting, a BOM.
 */
export function jsonText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: value.map((v) => JSON.stringify(v) ?? 'null'), weight: 6 },
    {
      arbitrary: fc.tuple(value.map((v) => JSON.stringify(v) ?? 'null'), fc.nat()).map(([s, n]) => s.slice(0, n % Math.max(1, s.length))),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom(
        '', ' ', 'null', 'true', '0', '"text"', '[]', '{}', '{', '}', '[', '{"text":', '{"text":"a"', "{'text':'a'}",
        '{"text":"\\ud800"}', '{"text":"\\udfff\\ud800"}', '{"user_id":"\\ud800"}', '{"text":"a","text":"b"}',
        '{"text":"a",}', '{"text":"a"} {"text":"b"}', '/* c */ {"text":"a"}', '\ufeff{"text":"a"}', '{"message_id":1e999}',
        '{"message_id":-0}', '{"message_id":1.0}', '{"message_id":9007199254740993}', '{"user_id":1e400}', 'NaN', 'Infinity',
        '{"__proto__":{"type":"group"},"user_id":2}', '{"constructor":{"prototype":{"x":1}}}', '\u0000', '{"text":"\u0000"}',
      ),
      weight: 2,
    },
    { arbitrary: fc.nat({ max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`), weight: 1 },
    { arbitrary: fc.nat({ max: 5_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`), weight: 1 },
    { arbitrary: hostileString, weight: 1 },
  );
}

/** Percent-encodes what a request line cannot carry, and leaves the rest (%, .., /) as the fuzz made it. */
export function pathSafe(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    out += code > 0x20 && code < 0x7f && ch !== '?' && ch !== '#' ? ch : encodeUtf8Bytes(ch);
  }
  return out;
}

function encodeUtf8Bytes(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}
