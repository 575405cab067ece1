import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, CsvSyntaxError } from '../../../electron/engine/datasets/csv-parser.ts';

function parse(chunks: string[]): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  const p = new CsvParser((fields, line) => out.push({ fields, line }));
  for (const c of chunks) p.push(c);
  p.end();
  return out;
}
const records = (text: string) => parse([text]).map((r) => r.fields);

describe('CsvParser', () => {
  it('reads quoted fields with commas, newlines and doubled quotes (RFC 4180)', () => {
    expect(records('a,b,c\n1,"x, y","say ""hi"""\n2,"two\nlines",\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
    ]);
  });

  it('accepts CRLF and LF, a BOM, and a last line without a newline', () => {
    expect(records('\ufeffa,b\r\n1,2\r\n3,"4\r\n5"\n6,7')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4\r\n5'],
      ['6', '7'],
    ]);
  });

  it('keeps UTF-8 text as it is', () => {
    expect(records('名前,emoji\nZoë,"🎉, ✓"\n')).toEqual([
      ['名前', 'emoji'],
      ['Zoë', '🎉, ✓'],
    ]);
  });

  it('numbers records by the line they start on', () => {
    const lines = parse(['h\n"a\nb\nc"\nd\n']).map((r) => r.line);
    expect(lines).toEqual([1, 2, 5]);
  });

  it('fails an unclosed quote at the end with the line it opened on', () => {
    expect(() => parse(['a,b\n1,2\n3,"open\nstill open\n'])).toThrow(
      new CsvSyntaxError(3, 'unclosed quote (the file ends inside a quoted field)'),
    );
  });

  it('fails text after a closing quote with its line', () => {
    expect(() => parse(['a\n"x"y\n'])).toThrow(
      /^line 2: unexpected character after a closing quote/,
    );
  });

  it('gives the same records however the text is cut into chunks', () => {
    const field = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '🎉') }),
      fc.string(),
    );
    const record = fc.array(field, { minLength: 2, maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 10 }),
        (rows, crlf, cuts) => {
          const quote = (s: string) =>
            /[",\r\n]/.test(s) || s === '' ? `"${s.replaceAll('"', '""')}"` : s;
          const text = rows.map((r) => r.map(quote).join(',')).join(crlf ? '\r\n' : '\n');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(text.slice(prev, p));
            prev = p;
          }
          chunks.push(text.slice(prev));
          expect(parse(chunks).map((r) => r.fields)).toEqual(rows);
        },
      ),
      { numRuns: 300 },
    );
  });
});

it('gives up on a record past 16 MB, naming the line it started on (an unclosed quote)', () => {
  const p = new CsvParser(() => {});
  p.push('a,b\n1,"never closed');
  const chunk = 'x'.repeat(1024 * 1024);
  expect(() => {
    for (let i = 0; i < 40; i++) p.push(chunk);
  }).toThrow('line 2: a record longer than 16 MB (is a quote left unclosed?)');
});
