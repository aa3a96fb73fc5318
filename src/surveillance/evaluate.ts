import type { Episode } from '../core/episode.js';

/** Detection quality of one detector against labelled episodes. */
export interface DetectorScore {
  kind: string;
  truth: number;
  detected: number;
  /** Detections that match a labelled episode, and labelled episodes found by at least one detection. */
  truePositives: number;
  /**
   * Detections matching no labelled episode whose orders all belong to an actor of the kind that
   * manipulates this way (a simulated manipulator's unlabelled attempt); 0 without `actorKind`.
   */
  attempts: number;
  found: number;
  /**
   * Detections matching no labelled episode that the same detector also makes on the input without the
   * planted episodes (the real stream's own alerts, which no one labelled); 0 without `background`.
   */
  background: number;
  precision: number;
  /** (true positives + attempts) / detections. */
  precisionWithAttempts: number;
  /** true positives / (detections − background): the detections the planting brought about that are right. */
  precisionBeyondBackground: number;
  recall: number;
  f1: number;
}

/**
 * A detection matches a labelled episode of the same kind when their spans overlap (the labelled span
 * widened by `toleranceNs` on each side) and, where both name orders, they share at least one order id.
 * Precision = matching detections / detections; recall = labelled episodes found / labelled episodes.
 * With `actorOf` (order id → the kind of the actor that placed it, when known) and `manipulators` (episode
 * kind → actor kind), a detection that matches nothing but whose orders all come from that kind of actor
 * is counted as an attempt: the simulator labels only attempts that completed their pattern. With
 * `background` (the keys, by `episodeKey`, of the detections on the same input without planted episodes),
 * a detection matching nothing that is among them is counted as background.
 */
export function scoreDetections(
  detections: readonly Episode[],
  truth: readonly Episode[],
  kinds: readonly string[],
  toleranceNs = 1e9,
  actorOf?: (orderId: number) => string | undefined,
  manipulators: Readonly<Record<string, string>> = {},
  background?: ReadonlySet<string>,
): DetectorScore[] {
  return kinds.map((kind) => {
    const found = truth.filter((episode) => episode.kind === kind);
    const detected = detections.filter((episode) => episode.kind === kind);
    const matched = new Set<Episode>();
    let truePositives = 0;
    let attempts = 0;
    let inBackground = 0;
    for (const detection of detected) {
      let hit = false;
      for (const episode of found) {
        if (!matches(detection, episode, toleranceNs)) continue;
        hit = true;
        matched.add(episode);
      }
      if (hit) truePositives++;
      else if (background?.has(episodeKey(detection))) inBackground++;
      else if (actorOf && manipulators[kind] && detection.orderIds.length > 0 && detection.orderIds.every((id) => actorOf(id) === manipulators[kind])) attempts++;
    }
    const precision = detected.length > 0 ? truePositives / detected.length : NaN;
    const recall = found.length > 0 ? matched.size / found.length : NaN;
    const precisionWithAttempts = detected.length > 0 ? (truePositives + attempts) / detected.length : NaN;
    const precisionBeyondBackground = detected.length > inBackground ? truePositives / (detected.length - inBackground) : NaN;
    return { kind, truth: found.length, detected: detected.length, truePositives, attempts, found: matched.size, background: inBackground, precision, precisionWithAttempts, precisionBeyondBackground, recall, f1: (2 * precision * recall) / (precision + recall) };
  });
}

/** Whether `detection` finds the labelled `episode` (of its kind): the rule of `scoreDetections`. */
export function matches(detection: Episode, episode: Episode, toleranceNs: number): boolean {
  if (episode.kind !== detection.kind || episode.instrument !== detection.instrument) return false;
  if (detection.endNs < episode.startNs - toleranceNs || detection.startNs > episode.endNs + toleranceNs) return false;
  return detection.orderIds.length === 0 || episode.orderIds.length === 0 || episode.orderIds.some((id) => detection.orderIds.includes(id));
}

/**
 * What identifies a detection across two runs over the same stream: kind, instrument, span, side and
 * price. Not its orders: planted orders inside a real burst's window join its list.
 */
export function episodeKey(episode: Episode): string {
  return `${episode.kind} ${episode.instrument} ${episode.startNs} ${episode.endNs} ${episode.side} ${episode.price}`;
}
