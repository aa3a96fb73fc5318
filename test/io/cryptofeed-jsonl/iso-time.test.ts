import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IsoTimes } from '../../../src/io/cryptofeed-jsonl/iso-time.js';

// 2021-04-17T00:00:00Z
const BASE = 1_618_617_600;

test('ISO-8601 UTC times become exact ns offsets, whatever their number of fractional digits', () => {
  const times = new IsoTimes(() => BASE);
  const at = (text: string) => times.offset(text);
  assert.equal(at('2021-04-17T16:43:37.075687Z'), 60_217_075_687_000);
  assert.equal(at('2021-04-17T16:43:37.075688Z'), 60_217_075_688_000, 'the cached second with another fraction');
  assert.equal(at('2021-04-17T16:43:37Z'), 60_217_000_000_000);
  assert.equal(at('2021-04-17T16:43:37.5Z'), 60_217_500_000_000);
  assert.equal(at('2021-04-17T16:43:37.123456789Z'), 60_217_123_456_789);
  assert.equal(at('2021-04-18T00:00:00.000000001Z'), 86_400_000_000_001, 'the next day');
  assert.equal(at('2021-04-16T23:59:59.999999Z'), -1_000, 'before the base');
});

test('ISO-8601 text that is not a UTC time to at most the nanosecond is NaN', () => {
  const times = new IsoTimes(() => BASE);
  for (const text of ['2021-04-17T16:43:37.075687', '2021-04-17 16:43:37.075687Z', '2021-04-17T16:43:37.0756871234Z', '2021-04-17T16:43:37.Z', '2021-13-17T16:43:37Z', '2021-04-17T16:43:3x.1Z', '2021-04-17T16:43:37,1Z', '2021-04-17T16:43:37.07x687Z', '']) {
    assert.ok(Number.isNaN(times.offset(text)), text);
  }
  // A good time after bad ones still reads right (the cache holds only good prefixes).
  assert.equal(times.offset('2021-04-17T00:00:01.000001Z'), 1_000_001_000);
});
