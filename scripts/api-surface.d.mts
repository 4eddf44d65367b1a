/** A package's public surface read from its entry point (scripts/api-surface.mjs). */
export interface ApiSurface {
  /** `<kind> <name>` of every exported name (kind: function, class, interface, type, const, enum), by name. */
  names: string[];
  /** Exported names, and `Name.member` public members of exported classes and interfaces, with no TSDoc prose. */
  undocumented: string[];
  /** `Name → Type`: a type a public declaration mentions, declared in the package, that the entry does not export. */
  unexportedTypes: string[];
}
/** Reads the public surfaces of the packages whose entry points (src/index.ts) are `entries`, in one program. */
export function apiSurfaces(entries: string[]): ApiSurface[];
