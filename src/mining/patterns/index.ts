/** Pattern discovery: regimes of feature windows (k-means, Gaussian mixtures, BIC) and anomaly scores. */
export { windowFeatures, type WindowMatrix } from './windows.js';
export { kMeans, type KMeansOptions, type KMeansResult } from './kmeans.js';
export { fitMixture, posteriors, type GaussianMixture, type MixtureOptions } from './gmm.js';
export { findRegimes, type BicPoint, type RegimeMethod, type RegimeOptions, type Regimes } from './regimes.js';
export { medianOf, robustZScores, type RobustScores } from './robust.js';
export { averagePathLength, IsolationForest, type IsolationForestOptions } from './isolation-forest.js';
