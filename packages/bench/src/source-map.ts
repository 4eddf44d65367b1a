// Maps a position in our compiled dist/*.js back to the TypeScript source, through the .js.map files that tsc writes
// (tsconfig.base.json `sourceMap: true`), so a CPU profile's table names `sim/event-loop.ts:212` rather than the
// emitted JS. source-map-js parses the maps; one consumer per file, cached.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceMapConsumer } from 'source-map-js';

export interface SourcePosition {
  /** Absolute path of the original source file. */
  source: string;
  /** 1-based line. */
  line: number;
}

export class SourceMapper {
  private readonly consumers = new Map<string, SourceMapConsumer | null>();

  /**
   * The original position of a 0-based (line, column) of the script at `url` (a file: URL or a path, as V8 reports
   * it), or null when the script has no source map or the position maps to nothing.
   */
  original(url: string, line0: number, column0: number): SourcePosition | null {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    const c = this.consumer(file);
    if (!c) return null;
    const p = c.originalPositionFor({
      line: line0 + 1,
      column: Math.max(0, column0),
      bias: SourceMapConsumer.GREATEST_LOWER_BOUND,
    });
    if (p.source === null || p.line === null) return null;
    return { source: resolve(dirname(file), p.source), line: p.line };
  }

  private consumer(file: string): SourceMapConsumer | null {
    let c = this.consumers.get(file);
    if (c !== undefined) return c;
    c = null;
    try {
      if (file.endsWith('.js') && existsSync(file)) {
        const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(file, 'utf8'));
        const mapFile = m && !m[1].startsWith('data:') ? resolve(dirname(file), m[1]) : `${file}.map`;
        if (existsSync(mapFile)) c = new SourceMapConsumer(JSON.parse(readFileSync(mapFile, 'utf8')));
      }
    } catch {
      c = null; // an unreadable or malformed map: keep the compiled position
    }
    this.consumers.set(file, c);
    return c;
  }
}
