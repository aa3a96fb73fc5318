/** Registers every built-in feature. Import this module once before parsing feature lists. */
import { bookStateFeatures } from './book-state.js';
import { hawkesFeatures } from './hawkes.js';
import { impactFeatures } from './impact.js';
import { micropriceFeatures } from './microprice.js';
import { ofiFeatures } from './ofi.js';
import { orderFlowFeatures } from './order-flow.js';
import { defineFeature } from './registry.js';
import { tradeFlowFeatures } from './trades.js';
import { vpin } from './vpin.js';
import { volumeProfile } from './footprint.js';

for (const definition of [volumeProfile, ...ofiFeatures, ...bookStateFeatures, ...tradeFlowFeatures, ...impactFeatures, vpin, ...orderFlowFeatures, ...hawkesFeatures, ...micropriceFeatures]) defineFeature(definition);

/** The set `flowmine features` computes when `--features` is not given. */
export const DEFAULT_FEATURES = 'ofi,mlofi:levels=5,qi,spread,mid,weighted_mid,depth,trades,signed_volume,cvd,kyle_lambda,rv,vpin,order_flow';

export { defineFeature, features, parseFeatureList, type FeatureRequest } from './registry.js';
export { FeatureEngine, type BarRows, type BarSink } from './engine.js';
export { parseClock, type ClockSpec } from './clock.js';
export type { Feature, FeatureDefinition, StreamState } from './feature.js';
export { collectFrame, computeFeatures, runFeatures, type FeatureFrame } from './run.js';
