import { UsageError } from './errors.js';

/**
 * A registry of named plugins of one kind (formats, features, detectors). It refuses duplicate names
 * and, asked for an unknown one, lists the names it knows.
 *
 * ```ts
 * const formats = new Registry<FormatDescriptor>('format');
 * formats.define({ name: 'lobster', ... });
 * formats.get('lobstr'); // UsageError: unknown format "lobstr" (known: lobster, …)
 * ```
 */
export class Registry<T extends { readonly name: string }> {
  private readonly entries = new Map<string, T>();

  constructor(readonly kind: string) {}

  define(entry: T): T {
    if (this.entries.has(entry.name)) throw new Error(`${this.kind} "${entry.name}" is defined twice`);
    this.entries.set(entry.name, entry);
    return entry;
  }

  get(name: string): T {
    const entry = this.entries.get(name);
    if (!entry) throw new UsageError(`unknown ${this.kind} "${name}" (known: ${this.names().join(', ')})`);
    return entry;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  all(): T[] {
    return this.names().map((name) => this.entries.get(name)!);
  }
}
