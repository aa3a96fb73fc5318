import type { BatchBuilder } from '../../core/batch.js';
import { grown } from '../../core/typed-arrays.js';

/**
 * The level rows of one venue message, held until the whole message has been checked, so that a message
 * rejected halfway leaves nothing in the batch. Reused from message to message (no per-row allocation).
 */
export class LevelRows {
  length = 0;
  private action = new Uint8Array(1024);
  private side = new Int8Array(1024);
  private price = new Float64Array(1024);
  private size = new Float64Array(1024);

  /** Forgets the rows of the previous message. */
  clear(): void {
    this.length = 0;
  }

  add(action: number, side: number, price: number, size: number): void {
    if (this.length === this.price.length) {
      const capacity = 2 * this.length;
      this.action = grown(this.action, capacity);
      this.side = grown(this.side, capacity);
      this.price = grown(this.price, capacity);
      this.size = grown(this.size, capacity);
    }
    const k = this.length++;
    this.action[k] = action;
    this.side[k] = side;
    this.price[k] = price;
    this.size[k] = size;
  }

  /** Appends the rows to the batch, all with the same times, instrument, seq, flags and source line. */
  emit(builder: BatchBuilder, tsEvent: number, tsRecv: number, instrument: number, seq: number, flags: number, line: number): void {
    for (let k = 0; k < this.length; k++) builder.push(tsEvent, tsRecv, instrument, this.action[k]!, this.side[k]!, this.price[k]!, this.size[k]!, 0, seq, flags, line);
  }
}
