import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/data.js';
import { tempDir } from '../support/temp.js';

/** `flowmine` with its code caches in `folder` (FLOWMINE_CODE_CACHE). */
function flowmineCached(folder: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'flowmine.js'), ...args], { encoding: 'utf8', env: { ...process.env, FLOWMINE_CODE_CACHE: folder } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

test('CLI code cache: a command writes one for its kind of input, the next run uses it and keeps it; one V8 refuses is replaced; `off` writes none', () => {
  const folder = tempDir('flowmine-code-cache-');
  const first = flowmineCached(folder, 'formats');
  assert.equal(first.status, 0, first.stderr);
  const caches = readdirSync(folder);
  assert.equal(caches.length, 1);
  assert.match(caches[0]!, /^formats-\d+\.v8$/);
  const written = readFileSync(join(folder, caches[0]!));
  assert.ok(written.length > 10_000, `${written.length} bytes`);

  const second = flowmineCached(folder, 'formats');
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);
  assert.ok(readFileSync(join(folder, caches[0]!)).equals(written), 'an accepted cache is not rewritten');

  // Bytes V8 does not recognise as a cache (another version's, a truncated one): refused, and replaced.
  writeFileSync(join(folder, caches[0]!), Buffer.alloc(64, 7));
  const third = flowmineCached(folder, 'formats');
  assert.equal(third.status, 0, third.stderr);
  assert.equal(third.stdout, first.stdout);
  assert.ok(readFileSync(join(folder, caches[0]!)).length > 10_000, 'the refused cache is replaced');

  const lobster = flowmineCached(folder, 'inspect', join(REPO_ROOT, 'no-such-file.csv'));
  assert.equal(lobster.status, 2);
  assert.ok(readdirSync(folder).some((name) => /^inspect\.csv-\d+\.v8$/.test(name)), readdirSync(folder).join(' '));

  const none = tempDir('flowmine-code-cache-off-');
  const off = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'flowmine.js'), 'formats'], { encoding: 'utf8', cwd: none, env: { ...process.env, FLOWMINE_CODE_CACHE: 'off' } });
  assert.equal(off.status, 0);
  assert.equal(off.stdout, first.stdout);
  assert.deepEqual(readdirSync(none), []);
});
