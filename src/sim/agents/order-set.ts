/** The live orders of one agent: add, remove and pick at random in O(1) (swap-remove array plus index). */
export class OrderSet {
  private ids: number[] = [];
  private readonly at = new Map<number, number>();

  get size(): number {
    return this.ids.length;
  }

  has(id: number): boolean {
    return this.at.has(id);
  }

  add(id: number): void {
    if (this.at.has(id)) return;
    this.at.set(id, this.ids.length);
    this.ids.push(id);
  }

  /** Removes an id; false when it was not there. */
  remove(id: number): boolean {
    const index = this.at.get(id);
    if (index === undefined) return false;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[index] = last;
      this.at.set(last, index);
    }
    this.at.delete(id);
    return true;
  }

  /** The id at position `index` (0 ≤ index < size), in no particular order. */
  get(index: number): number {
    return this.ids[index]!;
  }

  /** A copy of the ids. */
  list(): number[] {
    return this.ids.slice();
  }

  clear(): void {
    this.ids = [];
    this.at.clear();
  }
}
