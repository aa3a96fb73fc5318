import type { BatchBuilder } from '../../core/batch.js';
import type { InstrumentTable } from '../../core/instrument.js';
import type { Integrity } from '../../core/integrity.js';
import type { BookChecksum } from '../../core/source.js';

/** What a venue's message handler gets from the capture reader. */
export interface CaptureContext {
  readonly path: string;
  /** The connection URL of the capture's first line. */
  readonly url: string;
  /** The first 64 KiB of the capture (connection and subscription lines). */
  readonly head: string;
  readonly instruments: InstrumentTable;
  readonly integrity: Integrity;
  /** The batch builder; it exists once the first time has been read. */
  builder(): BatchBuilder;
  /** Epoch seconds of the time base (the first received time's UTC midnight). */
  baseSeconds(): number;
  /** Epoch seconds as decimal text -> ns after the time base, exact. */
  secondsOffset(text: string): number;
}

/**
 * Handles one received message: the parsed JSON, its receive time (ns after the time base), its line,
 * its raw text (for integrity rejects) and its receive time as the capture's decimal text.
 */
export type MessageHandler = ((message: unknown, recv: number, line: number, raw: string, recvText: string) => void) & {
  /** Called once at the end of the capture, for what can only be reported then. */
  finish?: () => void;
};

/** One venue that cryptofeed captures are read for, recognised by the capture's connection URL. */
export interface CryptofeedVenue {
  readonly name: string;
  matches(url: string): boolean;
  /** The subscription depth the venue keeps books to, read from the capture's head. */
  depthLimit?(head: string): number | undefined;
  readonly checksum?: BookChecksum;
  handler(context: CaptureContext): MessageHandler | Promise<MessageHandler>;
}
