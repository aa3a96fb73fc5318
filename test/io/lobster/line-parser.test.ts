import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LineChunk } from '../../../src/io/lines.js';
import { LineParser, LineStatus } from '../../../src/io/lobster/line-parser.js';
import { seededRandom } from '../../support/random.js';

// The WebAssembly parser against a reference written with strings and regular expressions, on random
// lines: valid ones with numbers of every length (up to 20 digits: past 15, doubles round), negative
// zeros, times printed past the nanosecond, and broken ones (letters, signs in the wrong place, missing
// or extra fields, blank lines, CRLF).

const random = seededRandom(20261128);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const digits = (min: number, max: number) => Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => pick('0123456789'.split(''))).join('');
const broken = () => pick(['', '-', 'x', '1x', '+5', '1.5', ' 7', '--3', '9e3', '0x1f']);
const integer = () => (random() < 0.9 ? (random() < 0.2 ? '-' : '') + digits(1, 20) : broken());
const time = () => (random() < 0.9 ? `${digits(1, random() < 0.1 ? 18 : 5)}${random() < 0.9 ? '.' + digits(0, 12) : ''}` : broken());

/** Sums digits as the readers always did: in doubles, one digit at a time. */
const fold = (text: string) => [...text].reduce((value, digit) => value * 10 + Number(digit), 0);

type Expected = { status: 'parsed'; values: number[]; rounded: boolean } | { status: 'blank' } | { status: 'malformed' };

function expectedMessage(line: string): Expected {
  if (line === '') return { status: 'blank' };
  const fields = line.split(',');
  const timeMatch = /^(\d+)(?:\.(\d*))?$/.exec(fields[0]!);
  if (fields.length !== 6 || !timeMatch || !fields.slice(1).every((field) => /^-?\d+$/.test(field))) return { status: 'malformed' };
  const fraction = timeMatch[2] ?? '';
  const kept = fraction.slice(0, 9);
  const nanos = fold(kept) + (fraction.length > 9 && Number(fraction[9]) >= 5 ? 1 : 0);
  const ts = fold(timeMatch[1]!) * 1e9 + nanos * 10 ** (9 - kept.length);
  const values = fields.slice(1).map((field) => (field.startsWith('-') ? -fold(field.slice(1)) : fold(field)));
  return { status: 'parsed', values: [ts, ...values], rounded: fraction.length > 9 };
}

function chunkOf(text: string): LineChunk {
  const bytes = new TextEncoder().encode(text);
  return { bytes, end: bytes.length, firstLine: 1, lines: NaN };
}

test('LOBSTER message lines parsed in WebAssembly: the values and outcomes of a string-based reference, on 20,000 random lines', () => {
  const lines = Array.from({ length: 20_000 }, () => {
    if (random() < 0.02) return '';
    const fields = [time(), integer(), integer(), integer(), integer(), integer()];
    if (random() < 0.03) fields.pop();
    if (random() < 0.03) fields.push(integer());
    return fields.join(',');
  });
  // Line ends mixed: half CRLF, half LF.
  const text = lines.map((line) => line + (random() < 0.5 ? '\r\n' : '\n')).join('');
  const parser = new LineParser();
  const chunk = chunkOf(text);
  parser.load(chunk);
  let k = 0;
  let parsed = 0;
  for (let pos = 0; pos < chunk.end; ) {
    const count = parser.messages(pos, chunk.end, Infinity);
    for (let i = 0; i < count; i++, k++) {
      const expected = expectedMessage(lines[k]!);
      const status = parser.status[i]!;
      const outcome = status & ~LineStatus.Rounded;
      const where = `line ${k + 1}: ${JSON.stringify(lines[k])}`;
      if (expected.status === 'blank') assert.equal(outcome, LineStatus.Blank, where);
      else if (expected.status === 'malformed') assert.ok(outcome >= LineStatus.Malformed, where);
      else {
        assert.equal(outcome, LineStatus.Parsed, where);
        assert.equal((status & LineStatus.Rounded) !== 0, expected.rounded, where);
        const values = Array.from({ length: 6 }, (_, field) => parser.fields[field * parser.messageLines + i]!);
        assert.deepEqual(values, expected.values, where);
        parsed++;
      }
    }
    pos = parser.resume;
  }
  assert.equal(k, lines.length, 'every line is read once');
  assert.ok(parsed > 8_000, `most lines are valid (${parsed})`);
});

test('LOBSTER orderbook rows parsed in WebAssembly: the values of a string-based reference, malformed rows flagged, on 20,000 random rows', () => {
  const width = 8;
  const rows = Array.from({ length: 20_000 }, () => {
    const fields = Array.from({ length: width }, () => (random() < 0.98 ? (random() < 0.1 ? '-' : '') + digits(1, 20) : broken()));
    if (random() < 0.01) fields.pop();
    return fields.join(',');
  });
  const parser = new LineParser();
  const chunk = chunkOf(rows.join('\n') + '\n');
  parser.load(chunk);
  let r = 0;
  let malformed = 0;
  for (let pos = 0; pos < chunk.end; ) {
    const count = parser.rows(pos, chunk.end, width);
    for (let i = 0; i < count; i++, r++) {
      const fields = rows[r]!.split(',');
      const valid = fields.length === width && fields.every((field) => /^-?\d+$/.test(field));
      const where = `row ${r + 1}: ${rows[r]}`;
      if (!valid) {
        assert.ok(parser.rowStatus[i]! >= LineStatus.Malformed, where);
        malformed++;
        continue;
      }
      assert.equal(parser.rowStatus[i], LineStatus.Parsed, where);
      const expected = fields.map((field) => (field.startsWith('-') ? -fold(field.slice(1)) : fold(field)));
      assert.deepEqual(Array.from(parser.rowValues.subarray(i * width, (i + 1) * width)), expected, where);
    }
    pos = parser.resume;
  }
  assert.equal(r, rows.length, 'every row is read once');
  assert.ok(malformed > 100, `some rows are malformed (${malformed})`);
});
