import type { BatchBuilder } from '../../core/batch.js';
import type { InstrumentTable } from '../../core/instrument.js';
import type { Integrity } from '../../core/integrity.js';

/** The first line of a cryptofeed JSONL capture: `{"t":"header","format":2,"exchange":…,"config":…,"recorded":…}`. */
export interface JsonlHeader {
  format: number;
  /** cryptofeed's exchange id, e.g. `COINBASE`. */
  exchange: string;
  /** The feed configuration: channel name -> products, e.g. `{"l2_book":["BTC-USD"], "trades":[…]}`. */
  config: Record<string, unknown>;
}

/** What an exchange's record handler gets from the JSONL reader. */
export interface JsonlContext {
  readonly path: string;
  readonly header: JsonlHeader;
  readonly instruments: InstrumentTable;
  readonly integrity: Integrity;
  readonly builder: BatchBuilder;
  /** Epoch seconds of the time base (the UTC midnight of the header's `recorded` time). */
  readonly baseSeconds: number;
}

/**
 * Handles the records of one capture. `recv` is the record's `ts` (ns after the time base), `raw` the
 * record's line for integrity rejects.
 */
export interface JsonlHandler {
  /** A websocket connection opened (`{"t":"connect","conn":…,"addr":…}`). */
  connect(conn: string, addr: string, recv: number, line: number): void;
  /** A received websocket message, its `data` already parsed. */
  recv(conn: string, message: unknown, recv: number, line: number, raw: string): void;
  /** A REST response (`{"t":"http","url":…,"data":…}`), `body` the unparsed response text. */
  http(url: string, body: string, recv: number, line: number, raw: string): void;
  /** The end of the capture (for handlers that account for state left over). */
  finish?(): void;
}

/** One exchange whose JSONL captures are read, recognised by the header's `exchange`. */
export interface JsonlExchange {
  readonly name: string;
  matches(exchange: string): boolean;
  /** Prepares the handler; it may read the capture ahead (e.g. for the REST responses recorded in it). */
  handler(context: JsonlContext): JsonlHandler | Promise<JsonlHandler>;
}
