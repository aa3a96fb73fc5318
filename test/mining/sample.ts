import type { Episode } from '../../src/core/episode.js';
import type { FeatureFrame } from '../../src/features/run.js';
import { ar1, syntheticFrame } from './synthetic.js';

/**
 * A frame with a random-walk mid where `informed` forecasts the next bars' return (it sees the next bar's
 * log return plus noise), `qi` is persistent noise with a weak share of the same information, and `ofi`
 * and `noise` are independent of returns. The spread is 0.2 bp against a per-bar volatility of 1 bp. Seeded.
 */
export function sampleFrame(rows: number, seed: number): FeatureFrame {
  return syntheticFrame(rows, seed, (normal, mid) => {
    const next = new Float64Array(rows).fill(0);
    for (let i = 0; i + 1 < rows; i++) next[i] = Math.log(mid[i + 1]! / mid[i]!) / 1e-4;
    const informed = Float64Array.from(next, (r) => r + normal.next());
    const base = ar1(normal, rows, 0.8);
    const qi = Float64Array.from(base, (v, i) => Math.tanh(0.5 * v + 0.3 * next[i]!));
    return { qi, informed, ofi: ar1(normal, rows, 0.5), noise: ar1(normal, rows, 0.9) };
  }, 1e-4, 0.2);
}

/** A few alerts spread over the frame. */
export function sampleAlerts(frame: FeatureFrame): Episode[] {
  const at = (share: number) => frame.ts[Math.floor(share * (frame.length - 1))]!;
  return [
    { kind: 'spoofing', instrument: 0, startNs: at(0.2), endNs: at(0.21), side: 1, price: 10000, orderIds: [1, 2], score: 80, explanation: 'planted for the test' },
    { kind: 'layering', instrument: 0, startNs: at(0.6), endNs: at(0.62), side: -1, price: 10010, orderIds: [], score: 55, explanation: 'planted & "quoted" <text>' },
  ];
}
