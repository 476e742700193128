// A small seeded PRNG (sfc32) so every child process rebuilds byte-identical streams.
// Not for cryptography; only for reproducible benchmark data.

export function createRng(seed) {
  let a = 0x9e3779b9 ^ seed, b = 0x243f6a88 ^ (seed * 31), c = 0xb7e15162, d = 1;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 16; i++) next();
  const rng = {
    /** Uniform float in [0, 1). */
    float: () => next() / 4294967296,
    /** Uniform integer in [lo, hi]. */
    int: (lo, hi) => lo + Math.floor((next() / 4294967296) * (hi - lo + 1)),
    /** True with probability p. */
    chance: (p) => next() / 4294967296 < p,
    pick: (arr) => arr[Math.floor((next() / 4294967296) * arr.length)],
    /** Log-uniform integer in [lo, hi]: mail sizes are skewed towards the small end. */
    logInt: (lo, hi) => Math.round(Math.exp(Math.log(lo) + (next() / 4294967296) * (Math.log(hi) - Math.log(lo)))),
  };
  return rng;
}
