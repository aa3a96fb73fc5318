// A fixed workload that has nothing to do with flowmine, timed in the benchmark's runs to tell how fast
// the machine was that day: on this virtual machine the same code can run twice as long one day as the
// next, for flowmine and the peers alike. It hashes 256 MiB with SHA-256 (native code) and runs a
// JavaScript loop of typed-array reads and writes (compiled code, the kind flowmine's hot paths are).
import { createHash } from 'node:crypto';

const block = new Uint8Array(16 << 20).fill(7);
const hash = createHash('sha256');
for (let i = 0; i < 16; i++) hash.update(block);
hash.digest();

// A xorshift walk over 4 Mi words, 8 passes: loads and stores spread over 16 MiB.
const words = new Uint32Array(4 << 20);
let state = 2463534242;
for (let pass = 0; pass < 8; pass++) {
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const at = (state >>> 0) & (words.length - 1);
    words[at] = (words[at]! + i) >>> 0;
  }
}
if (words[0] === 0.5) console.log('unreachable: keeps the loop from being removed');
