// Growing the event queue's and the ladder's typed arrays (cold path: a queue doubles a few times per run).

type Grownable = Int32Array | Float64Array | Uint8Array;

/** A copy of `a` with room for `capacity` elements, the new ones set to `fill`. */
export function grown<T extends Grownable>(a: T, capacity: number, fill = 0): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  if (fill !== 0) b.fill(fill, a.length);
  (b as Grownable).set(a);
  return b;
}
