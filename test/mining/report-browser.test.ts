import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { reportData } from '../../src/mining/report/data.js';
import { reportHtml } from '../../src/mining/report/html.js';
import { mineFrame } from '../../src/mining/run.js';
import { sampleAlerts, sampleFrame } from './sample.js';
import { tempDir } from '../support/temp.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Skips with the reason when Chromium is not installed, except in CI (CI=true), where it must be. */
function needsChromium(): { skip?: string } {
  if (existsSync(CHROMIUM)) return {};
  const reason = `${CHROMIUM} not found (install Debian's chromium: apt-get install -y --no-install-recommends chromium)`;
  if (process.env.CI === 'true') throw new Error(reason);
  return { skip: reason };
}

interface Rendered {
  charts: { title: string; width: number; height: number; shapes: number }[];
  /** Requests other than the page itself, all aborted. */
  attempted: string[];
  requests: string[];
  errors: string[];
  text: string;
  url: string;
}

/** Opens an HTML page from a file:// URL in headless Chromium with every network request aborted. */
async function renderOffline(html: string): Promise<Rendered> {
  const path = join(tempDir('flowmine-report-'), 'report.html');
  writeFileSync(path, html);
  const url = pathToFileURL(path).href;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const context = await browser.newContext();
    const attempted: string[] = [];
    await context.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      attempted.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(url, { waitUntil: 'load' });
    const charts = await page.$$eval('svg.chart', (elements) =>
      elements.map((element) => {
        const box = element.getBoundingClientRect();
        return { title: element.querySelector('title')?.textContent ?? '', width: box.width, height: box.height, shapes: element.querySelectorAll('path, rect, circle, line').length };
      }),
    );
    return { charts, attempted, requests, errors, text: (await page.textContent('body')) ?? '', url };
  } finally {
    await browser.close();
  }
}

test('the report renders in Chromium offline: every chart drawn, no request, no console error', needsChromium(), async () => {
  const frame = sampleFrame(4000, 3);
  const result = mineFrame(frame, { horizonsNs: [1e9, 5e9, 30e9], folds: 3, kMax: 4, regimeWindow: 30, alerts: sampleAlerts(frame) });
  const data = reportData(result, { input: 'synthetic', instrument: 'TEST', clock: '1s', features: 'qi,ofi', version: 'test', priceDecimals: 2 });
  const html = reportHtml(data);
  const chartsInSource = html.match(/<svg class="chart"/g)?.length ?? 0;
  assert.ok(chartsInSource >= 12, `${chartsInSource} charts`);
  const rendered = await renderOffline(html);
  assert.equal(rendered.charts.length, chartsInSource);
  for (const chart of rendered.charts) {
    assert.ok(chart.width > 100 && chart.height > 100, `${chart.title}: ${chart.width}×${chart.height}`);
    assert.ok(chart.shapes > 5, `${chart.title}: ${chart.shapes} shapes`);
  }
  assert.deepEqual(rendered.attempted, []);
  assert.deepEqual(rendered.requests, [rendered.url]);
  assert.deepEqual(rendered.errors, []);
  assert.match(rendered.text, /significant signals/);
  assert.match(rendered.text, new RegExp(`of ${data.headline.tests}`));
});

test('the offline check catches a page that fetches, logs errors or draws an empty chart', needsChromium(), async () => {
  const rendered = await renderOffline(
    '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://fonts.example.com/font.css"></head><body>' +
      '<img src="http://example.com/x.png"><svg class="chart" width="0" height="0"></svg><script>console.error("boom")</script></body></html>',
  );
  assert.deepEqual(rendered.attempted.sort(), ['http://example.com/x.png', 'https://fonts.example.com/font.css']);
  assert.ok(rendered.errors.includes('boom'));
  assert.equal(rendered.charts.length, 1);
  assert.equal(rendered.charts[0]!.width, 0);
});
