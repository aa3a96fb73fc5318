import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatUnits, numberToUnits, parseUnits } from '../../src/core/decimal.js';
import { isoNs, zonedMidnightNs } from '../../src/core/time.js';

test('parseUnits reads decimal text exactly and refuses what it cannot represent', () => {
  assert.equal(parseUnits('236.47', 8), 23_647_000_000);
  assert.equal(parseUnits('0.00010000', 8), 10_000);
  assert.equal(parseUnits('-0.5', 1), -5);
  assert.equal(parseUnits('61381', 8), 6_138_100_000_000);
  assert.equal(parseUnits('1.230', 2), 123, 'trailing zeros beyond the decimals are fine');
  assert.ok(Number.isNaN(parseUnits('1.234', 2)), 'a non-zero digit beyond the decimals is refused');
  assert.ok(Number.isNaN(parseUnits('12a', 2)));
  assert.ok(Number.isNaN(parseUnits('', 2)));
  assert.ok(Number.isNaN(parseUnits('.', 2)));
  assert.equal(parseUnits('1e-8', 8), 1);
});

test('numberToUnits takes JSON numbers with at most the given decimals', () => {
  assert.equal(numberToUnits(0.21248014, 8), 21_248_014);
  assert.equal(numberToUnits(60940.35136398, 8), 6_094_035_136_398);
  assert.ok(Number.isNaN(numberToUnits(0.123456789, 8)));
});

test('formatUnits prints the shortest exact decimal', () => {
  assert.equal(formatUnits(2_238_200, 4), '223.82');
  assert.equal(formatUnits(2_238_250, 4), '223.825');
  assert.equal(formatUnits(100, 2), '1');
  assert.equal(formatUnits(-5, 1), '-0.5');
  assert.equal(formatUnits(4_799_250_000_000, 9), '4799.25');
});

test('LOBSTER dates: midnight in New York is 04:00 UTC in summer and 05:00 UTC in winter', () => {
  assert.equal(isoNs(zonedMidnightNs('2012-06-21', 'America/New_York')), '2012-06-21T04:00:00.000000000Z');
  assert.equal(isoNs(zonedMidnightNs('2013-01-15', 'America/New_York')), '2013-01-15T05:00:00.000000000Z');
  // The day US clocks move forward: midnight still precedes the 02:00 change.
  assert.equal(isoNs(zonedMidnightNs('2012-03-11', 'America/New_York')), '2012-03-11T05:00:00.000000000Z');
});
