import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the shared real-data fixtures live: $FLOWMINE_DATA, else ../shared/data beside the repository.
 * Tests that need a fixture call `fixture(name)` and skip with the reason when it is missing.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DATA_DIR = process.env.FLOWMINE_DATA ?? join(repoRoot, '..', 'shared', 'data');

/** Path of a fixture, or null when it is not present. */
export function fixturePath(name: string): string | null {
  const path = join(DATA_DIR, name);
  return existsSync(path) ? path : null;
}

/**
 * Test options that skip with a reason when a fixture is missing, for `test(name, needs(...), fn)`.
 * In CI (CI=true) a missing fixture is a failure, not a skip: the data must be there.
 */
export function needs(...names: string[]): { skip?: string } {
  const missing = names.filter((name) => !fixturePath(name));
  if (missing.length === 0) return {};
  const reason = `fixture not found in ${DATA_DIR}: ${missing.join(', ')} (set FLOWMINE_DATA)`;
  if (process.env.CI === 'true') throw new Error(reason);
  return { skip: reason };
}

/** Path of a fixture that `needs` has vouched for. */
export function fixture(name: string): string {
  return join(DATA_DIR, name);
}

/** The repository's root folder (for running the CLI in tests). */
export const REPO_ROOT = repoRoot;
