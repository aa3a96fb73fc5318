import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intlOffsetMs, zonedMidnightNs, zoneOffsetMs } from '../../src/core/time.js';

const HOUR_MS = 3_600_000;

test('zoneOffsetMs of US zones, from the rules, equals Intl every 12 hours and a second either side of every change, 1987-2040', () => {
  for (const zone of ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles']) {
    let previous = NaN;
    for (let t = Date.UTC(1987, 0, 1); t < Date.UTC(2040, 0, 1); t += 12 * HOUR_MS) {
      const offset = zoneOffsetMs(t, zone);
      assert.equal(offset, intlOffsetMs(t, zone), `${zone} at ${new Date(t).toISOString()}`);
      if (offset !== previous && !Number.isNaN(previous)) {
        // A change happened in the last 12 hours: find it to the second and check both sides.
        let before = t - 12 * HOUR_MS;
        let after = t;
        while (after - before > 1000) {
          const middle = before + Math.floor((after - before) / 2000) * 1000;
          if (zoneOffsetMs(middle, zone) === previous) before = middle;
          else after = middle;
        }
        for (const instant of [before - 1000, before, after, after + 1000]) assert.equal(zoneOffsetMs(instant, zone), intlOffsetMs(instant, zone), `${zone} at ${new Date(instant).toISOString()}`);
      }
      previous = offset;
    }
  }
});

test('zoneOffsetMs of other zones and years asks Intl', () => {
  assert.equal(zoneOffsetMs(Date.UTC(2024, 6, 1), 'Europe/London'), HOUR_MS);
  assert.equal(zoneOffsetMs(Date.UTC(2024, 0, 1), 'Asia/Tokyo'), 9 * HOUR_MS);
  assert.equal(zoneOffsetMs(Date.UTC(1980, 6, 1), 'America/New_York'), -4 * HOUR_MS);
});

test('zonedMidnightNs: New York midnight in summer and winter, and on the days the clocks change', () => {
  assert.equal(zonedMidnightNs('2012-06-21', 'America/New_York'), BigInt(Date.UTC(2012, 5, 21, 4)) * 1_000_000n);
  assert.equal(zonedMidnightNs('2012-01-03', 'America/New_York'), BigInt(Date.UTC(2012, 0, 3, 5)) * 1_000_000n);
  assert.equal(zonedMidnightNs('2024-03-10', 'America/New_York'), BigInt(Date.UTC(2024, 2, 10, 5)) * 1_000_000n);
  assert.equal(zonedMidnightNs('2024-11-03', 'America/Chicago'), BigInt(Date.UTC(2024, 10, 3, 5)) * 1_000_000n);
});
