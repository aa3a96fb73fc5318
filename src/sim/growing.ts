/** A growable sample of numbers in a Float64Array. */
export class Growing {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  /** The values pushed so far (a view: copy it to keep it past further pushes). */
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
