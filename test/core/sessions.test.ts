import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionRule } from '../../src/core/sessions.js';

test('CME Globex: no continuous matching 16:00-17:00 Chicago time, in winter and in summer', () => {
  const cme = sessionRule('glbx.mdp3')!;
  const at = (iso: string) => cme.notContinuous(Date.parse(iso));
  // 2023-12-25 (Christmas, a Monday): Globex reopens 17:00 CST = 23:00 UTC after its pre-open.
  assert.equal(at('2023-12-25T22:39:55Z'), true);
  assert.equal(at('2023-12-25T22:59:59.999Z'), true);
  assert.equal(at('2023-12-25T23:00:00Z'), false);
  // In July Chicago is UTC-5: the same hour is 21:00-22:00 UTC.
  assert.equal(at('2024-07-02T20:59:00Z'), false);
  assert.equal(at('2024-07-02T21:30:00Z'), true);
  // Weekend: Friday 16:00 to Sunday 17:00 Chicago.
  assert.equal(at('2023-12-23T12:00:00Z'), true);
  assert.equal(at('2023-12-24T22:59:00Z'), true);
  assert.equal(at('2023-12-24T23:01:00Z'), false);
});

test('Nasdaq: continuous trading 09:30-16:00 New York time; crypto venues have no calendar', () => {
  const nasdaq = sessionRule('nasdaq')!;
  assert.equal(nasdaq.notContinuous(Date.parse('2012-06-21T13:29:59Z')), true);
  assert.equal(nasdaq.notContinuous(Date.parse('2012-06-21T13:30:00Z')), false);
  assert.equal(nasdaq.notContinuous(Date.parse('2012-06-21T20:00:00Z')), true);
  assert.equal(sessionRule('binance'), null);
});
