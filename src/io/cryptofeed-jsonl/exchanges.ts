import { coinbaseAdvancedExchange } from './coinbase-advanced.js';
import type { JsonlExchange } from './exchange.js';

/** Exchanges whose cryptofeed JSONL captures are read, tried in order against the header's `exchange`. */
export const jsonlExchanges: readonly JsonlExchange[] = [coinbaseAdvancedExchange];
