import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './data.js';

/** Runs the `flowmine` CLI as a user would and returns its exit code and output. */
export function flowmine(...args: string[]): { status: number; stdout: string; stderr: string } {
  return flowmineIn(process.cwd(), ...args);
}

/** `flowmine` run in the folder `cwd`. */
export function flowmineIn(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'flowmine.js'), ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
