import assert from 'node:assert/strict';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { largeOutput } from '../../src/cli/source-options.js';
import { tempDir } from '../support/temp.js';

/** A file of `bytes` bytes that takes no room on disk (sparse). */
function sized(path: string, bytes: number): string {
  writeFileSync(path, '');
  truncateSync(path, bytes);
  return path;
}

test('largeOutput: an input of 16 MiB or more on disk, a file or a folder of files at any depth', () => {
  const dir = tempDir('flowmine-large-output-');
  assert.equal(largeOutput(sized(join(dir, 'small.csv'), (16 << 20) - 1)), false);
  assert.equal(largeOutput(sized(join(dir, 'large.csv'), 16 << 20)), true);
  const dataset = join(dir, 'dataset');
  mkdirSync(join(dataset, 'venue=a', 'symbol=b', 'date=2024-01-01'), { recursive: true });
  sized(join(dataset, 'venue=a', 'symbol=b', 'date=2024-01-01', 'part-0.parquet'), 8 << 20);
  assert.equal(largeOutput(dataset), false);
  mkdirSync(join(dataset, 'venue=a', 'symbol=b', 'date=2024-01-02'), { recursive: true });
  sized(join(dataset, 'venue=a', 'symbol=b', 'date=2024-01-02', 'part-0.parquet'), 8 << 20);
  assert.equal(largeOutput(dataset), true);
  assert.equal(largeOutput(join(dir, 'no-such-input.csv')), false);
});
