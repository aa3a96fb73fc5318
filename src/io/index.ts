/** Registers every built-in format. Import this module once before sniffing or opening files. */
import { defineFormat } from './formats.js';
import { lobsterFormat } from './lobster/format.js';

defineFormat(lobsterFormat);

export { defineFormat, formats, openSource, sniffFormat } from './formats.js';
