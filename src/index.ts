/**
 * flowmine's library API. Open a file as a stream of columnar event batches, replay it through exact
 * books, and read the books after every complete venue update.
 *
 * ```ts
 * import { openSource, replay } from 'flowmine';
 * const source = await openSource('AMZN_2012-06-21_34200000_57600000_message_1.csv');
 * await replay(source, { onUpdate: (book) => console.log(book.bestBidPrice(), book.bestAskPrice()) });
 * console.log(source.integrity.report.toJSON());
 * ```
 */
export * from './core/batch.js';
export * from './core/decimal.js';
export * from './core/errors.js';
export * from './core/event.js';
export * from './core/instrument.js';
export * from './core/integrity.js';
export * from './core/registry.js';
export type * from './core/source.js';
export type * from './core/table.js';
export * from './core/time.js';
export { defineFormat, formats, openSource, sniffFormat } from './io/index.js';
export { openTableWriter, type TableWriterOptions } from './io/table/open.js';
export { QuarantineFile } from './io/quarantine.js';
export { L2Book } from './book/l2-book.js';
export { L3Book, type OrderEnd, type OrderLife } from './book/l3-book.js';
export { Applied, LadderBook } from './book/ladder-book.js';
export type { Book, BookView } from './book/view.js';
export { replay, Replayer, type ReplaySummary, type UpdateHandler } from './book/replay.js';
export { BookEmitter, emitColumns, parseEmitSpec, parseIntervalNs, type EmitSpec } from './book/emit.js';
export { L2ViewSource, openL2View, type L2ViewOptions } from './book/l2-view.js';
export {
  computeFeatures,
  DEFAULT_FEATURES,
  defineFeature,
  FeatureEngine,
  features,
  parseClock,
  parseFeatureList,
  runFeatures,
  type BarRows,
  type BarSink,
  type ClockSpec,
  type Feature,
  type FeatureDefinition,
  type FeatureFrame,
  type FeatureRequest,
  type StreamState,
} from './features/index.js';
export { TradeSigner, SIGNING_RULES, type SigningRule } from './features/signing.js';
export { evaluateSigning, evaluateBulkClassification } from './features/signing-eval.js';
export { computeFootprint } from './features/footprint.js';
export { evaluateSignals, type SignalEvaluation } from './mining/evaluate.js';
export { walkForward, type FoldResult } from './mining/walk-forward.js';
export { forwardReturns, forwardReturnsEvents, smoothedLabels, tripleBarrier } from './mining/labels.js';
export { mineFrame, type MiningResult } from './mining/run.js';
export { detect, detectors, parseDetectorList } from './surveillance/index.js';
export { scoreDetections, type DetectorScore } from './surveillance/evaluate.js';
export { agentStretches, EPISODE_FEATURES, episodeFeatures, episodeIntents, orderFeatures, orderFeaturesAndEpisodes, IntentModel, INTENT_CLASSES, INTENT_FEATURES } from './surveillance/intent.js';
export type { Episode, EpisodeKind } from './core/episode.js';
export { openScenario, ScenarioSource } from './sim/source.js';
export { plantEpisodes } from './sim/plant.js';
