import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/**
 * A new empty folder in the system's temporary folder, named `prefix` and six random characters. It is
 * removed, with everything written in it, when the test file's process exits (each test file runs in a
 * process of its own), unless FLOWMINE_KEEP_TEST_FILES is set (to look at a failed test's files).
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

process.on('exit', () => {
  if (process.env.FLOWMINE_KEEP_TEST_FILES) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
