// A tiny package entry for packages/workers/test/public-api.test.ts: one of each failure the surface check catches.

/** Documented, and its options type is exported. */
export function documented(o: Options): Hidden {
  return { n: o.n };
}

/** Options of documented(). */
export interface Options {
  /** Documented member. */
  n: number;
  m?: number;
}

interface Hidden {
  n: number;
}

export const undocumentedConst = 1;
