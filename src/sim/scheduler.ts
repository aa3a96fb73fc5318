import { grown } from '../core/typed-arrays.js';

/**
 * The event-driven clock of a simulation: a binary min-heap of (time, insertion order) in typed arrays.
 * Each entry wakes one agent, with a payload: 0 for the agent's own wake-up, else a timer it set (an
 * order id whose lifetime ends, for example). Ties in time run in insertion order, so a run is
 * deterministic. An agent has at most one pending wake-up: setting a new one makes the old entry stale
 * (it is skipped when it surfaces); timers are never stale.
 */
export class Scheduler {
  private time = new Float64Array(1024);
  private order = new Float64Array(1024);
  private agent = new Int32Array(1024);
  private payload = new Float64Array(1024);
  private count = 0;
  private inserted = 0;
  /** Per agent: the insertion number of its live wake-up entry, -1 when none. */
  private wakeEntry = new Float64Array(64).fill(-1);
  /** Time of the entry `pop` returned last. */
  now = 0;
  /** Agent and payload of the entry `pop` returned last. */
  poppedAgent = -1;
  poppedPayload = 0;

  /** Sets agent's next wake-up (replacing any pending one); Infinity or NaN cancels it. */
  wake(agent: number, timeNs: number): void {
    if (agent >= this.wakeEntry.length) {
      const next = new Float64Array(Math.max(agent + 1, this.wakeEntry.length * 2)).fill(-1);
      next.set(this.wakeEntry);
      this.wakeEntry = next;
    }
    if (!(timeNs < Infinity)) {
      this.wakeEntry[agent] = -1;
      return;
    }
    this.wakeEntry[agent] = this.inserted;
    this.insert(Math.max(timeNs, this.now), agent, 0);
  }

  /** Adds a timer for the agent with a non-zero payload; timers do not replace each other. */
  timer(agent: number, timeNs: number, payload: number): void {
    this.insert(Math.max(timeNs, this.now), agent, payload);
  }

  /** Time of the earliest live entry, or Infinity. */
  peekTime(): number {
    this.dropStale();
    return this.count > 0 ? this.time[0]! : Infinity;
  }

  /** Removes the earliest live entry into now / poppedAgent / poppedPayload; false when empty. */
  pop(): boolean {
    this.dropStale();
    if (this.count === 0) return false;
    this.now = this.time[0]!;
    this.poppedAgent = this.agent[0]!;
    this.poppedPayload = this.payload[0]!;
    if (this.poppedPayload === 0) this.wakeEntry[this.poppedAgent] = -1;
    this.removeTop();
    return true;
  }

  /** Entries waiting (stale ones included). */
  get size(): number {
    return this.count;
  }

  private dropStale(): void {
    while (this.count > 0 && this.payload[0] === 0 && this.wakeEntry[this.agent[0]!] !== this.order[0]) this.removeTop();
  }

  private insert(timeNs: number, agent: number, payload: number): void {
    if (this.count === this.time.length) {
      const capacity = this.count * 2;
      this.time = grown(this.time, capacity);
      this.order = grown(this.order, capacity);
      this.agent = grown(this.agent, capacity);
      this.payload = grown(this.payload, capacity);
    }
    const order = this.inserted++;
    let at = this.count++;
    // Sift up.
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(timeNs, order, this.time[parent]!, this.order[parent]!)) break;
      this.move(parent, at);
      at = parent;
    }
    this.time[at] = timeNs;
    this.order[at] = order;
    this.agent[at] = agent;
    this.payload[at] = payload;
  }

  private removeTop(): void {
    const last = --this.count;
    if (last === 0) return;
    const timeNs = this.time[last]!;
    const order = this.order[last]!;
    const agent = this.agent[last]!;
    const payload = this.payload[last]!;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && before(this.time[right]!, this.order[right]!, this.time[left]!, this.order[left]!) ? right : left;
      if (!before(this.time[child]!, this.order[child]!, timeNs, order)) break;
      this.move(child, at);
      at = child;
    }
    this.time[at] = timeNs;
    this.order[at] = order;
    this.agent[at] = agent;
    this.payload[at] = payload;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from]!;
    this.order[to] = this.order[from]!;
    this.agent[to] = this.agent[from]!;
    this.payload[to] = this.payload[from]!;
  }
}

/** Whether entry (t1, o1) runs before entry (t2, o2): earlier time, or the same time and set earlier. */
function before(t1: number, o1: number, t2: number, o2: number): boolean {
  return t1 < t2 || (t1 === t2 && o1 < o2);
}
