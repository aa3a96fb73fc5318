/** The format name of scenario files read as inputs (apart from source.ts, so naming it loads no simulator). */
export const SCENARIO_FORMAT = 'sim-scenario';
