/** True when some packages/<name> under root has no dist/.tsbuildinfo or a src/ file or tsconfig newer than it. */
export function staleBuild(root: string): boolean;
