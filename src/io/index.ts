/** Registers every built-in format. Import this module once before sniffing or opening files. */
import { defineFormat } from './formats.js';
import { leanAlgoseekFormat } from './algoseek/format.js';
import { binanceCaptureFormat, binanceTDepthFormat } from './binance/format.js';
import { bitfinexRawFormat } from './bitfinex-raw/format.js';
import { bybitOb500Format } from './bybit/format.js';
import { cryptofeedFormat } from './cryptofeed/format.js';
import { cryptofeedJsonlFormat } from './cryptofeed-jsonl/format.js';
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
defineFormat(binanceTDepthFormat);
defineFormat(cryptofeedFormat);
defineFormat(cryptofeedJsonlFormat);
defineFormat(tardisCsvFormat);
defineFormat(bybitOb500Format);
defineFormat(leanAlgoseekFormat);

export { defineFormat, formats, openSource, sniffFormat } from './formats.js';
