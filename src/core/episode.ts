/**
 * An episode: a span of market activity labelled with a pattern — found by a detector, or planted and
 * known (simulator ground truth). Both share this shape, so detections can be scored against the truth.
 * `flowmine detect` writes one row per episode: detector,start_ns,end_ns,side,price,order_ids,score,explanation.
 */
export const EPISODE_KINDS = [
  'spoofing',
  'layering',
  'quote_stuffing',
  'momentum_ignition',
  'wash_trading',
  'pinging',
  'iceberg',
  'absorption',
  'marking_the_close',
] as const;
export type EpisodeKind = (typeof EPISODE_KINDS)[number];

export interface Episode {
  kind: EpisodeKind;
  /** Index into the stream's instrument table. */
  instrument: number;
  /** First and last event of the episode, ns after the stream's time base. */
  startNs: number;
  endNs: number;
  /** Side the pattern acts on (the spoofed side, the layered side, the aggressor of an ignition); 0 if none. */
  side: number;
  /**
   * Price in the instrument's units (a whole number) where one price characterises it (the spoofed level,
   * the mid reached, rounded to a unit), else NaN.
   */
  price: number;
  /** Order ids involved, where the data has ids. */
  orderIds: number[];
  /** 0–100: confidence of a detection; 100 for ground truth. */
  score: number;
  /** What triggered it: the orders, the price path, the imbalance shift — in words, with numbers. */
  explanation: string;
  /** Ground truth only: the agent (or owner) that acted. */
  actor?: string;
}
