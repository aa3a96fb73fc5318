/** Registers every built-in format. Import this module once before sniffing or opening files. */
import { defineFormat } from './formats.js';
import { binanceCaptureFormat } from './binance/format.js';
import { bitfinexRawFormat } from './bitfinex-raw/format.js';
import { cryptofeedFormat } from './cryptofeed/format.js';
import { databentoFormat } from './dbn/format.js';
import { lobsterFormat } from './lobster/format.js';
import { bitstampLogFormat, bitstampOrdersFormat } from './obanalytics/format.js';
import { tardisCsvFormat } from './tardis/format.js';

defineFormat(lobsterFormat);
defineFormat(databentoFormat);
defineFormat(bitstampLogFormat);
defineFormat(bitstampOrdersFormat);
defineFormat(bitfinexRawFormat);
defineFormat(binanceCaptureFormat);
defineFormat(cryptofeedFormat);
defineFormat(tardisCsvFormat);

export { defineFormat, formats, openSource, sniffFormat } from './formats.js';
