/** Any of the typed arrays flowmine stores columns and book state in. */
export type TypedColumn = Float64Array | Int32Array | Uint8Array | Int8Array;

/** Returns a copy of `old` with room for `capacity` elements (the contents kept, the rest zero). */
export function grown<T extends TypedColumn>(old: T, capacity: number): T {
  const next = new (old.constructor as new (length: number) => T)(capacity);
  next.set(old);
  return next;
}
