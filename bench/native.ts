import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The native scale reference for LOBSTER replay (bench/peers/native-lobster.cpp), built for this run. */
export type NativeReference = { path: string } | { skipped: string };

/**
 * Compiles bench/peers/native-lobster.cpp with g++ -O2 into `work`. The machine has no C++ compiler
 * when npm cannot build native addons either; the benchmark then says so and goes on without it.
 */
export function buildNativeReference(root: string, work: string): NativeReference {
  const source = join(root, 'bench', 'peers', 'native-lobster.cpp');
  const path = join(work, 'native-lobster');
  try {
    execFileSync('g++', ['-O2', '-std=c++17', '-o', path, source], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { path };
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'no g++ on this machine' : `g++ failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n')[0]}`;
    return { skipped: reason };
  }
}
