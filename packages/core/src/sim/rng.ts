// Seeded random streams, one (or a few) per entity, never per shard or thread (DESIGN §4). Each stream is an
// sfc32 generator whose 4×u32 state lives in one Uint32Array, seeded by splitmix32 from (run seed, stream id),
// so a stream's output depends only on the seed and on how many draws its own entity has made.

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class RngStreams {
  private readonly s: Uint32Array;

  constructor(seed: number, streams: number) {
    this.s = new Uint32Array(streams * 4);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    for (let i = 0; i < streams; i++) {
      let x = splitmix32(lo ^ splitmix32(hi ^ splitmix32(i * 0x632be5ab)));
      for (let k = 0; k < 4; k++) {
        x = splitmix32(x + k);
        this.s[i * 4 + k] = x;
      }
      for (let k = 0; k < 12; k++) this.nextU32(i); // warm up sfc32
    }
  }

  nextU32(stream: number): number {
    const s = this.s;
    const o = stream * 4;
    let a = s[o];
    let b = s[o + 1];
    let c = s[o + 2];
    const d = s[o + 3];
    const t = (((a + b) | 0) + d) | 0;
    s[o + 3] = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    s[o] = a;
    s[o + 1] = b;
    s[o + 2] = c;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(stream: number): number {
    return this.nextU32(stream) / 4294967296;
  }

  /** Uniform in (0, 1] — safe for -log(). */
  uniformOpen(stream: number): number {
    return (this.nextU32(stream) + 1) / 4294967296;
  }

  /** Integer in [0, n). */
  below(stream: number, n: number): number {
    return Math.floor(this.uniform(stream) * n);
  }
}
