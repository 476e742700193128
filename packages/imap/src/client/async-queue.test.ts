import { describe, expect, it } from 'vitest';

import { AsyncQueue } from './async-queue.js';

/** True when `p` has settled by the time queued microtasks ran (undefined: a push with room, nothing to wait for). */
async function settled(p: Promise<unknown> | undefined): Promise<boolean> {
  if (p === undefined) return true;
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('AsyncQueue', () => {
  it('holds pushes back past its capacity until the consumer takes an item', async () => {
    const q = new AsyncQueue<number>(2);
    expect(q.push(1)).toBeUndefined(); // room left: no promise to wait on
    const second = q.push(2);
    expect(second).toBeInstanceOf(Promise);
    expect(await settled(second)).toBe(false);
    const it = q[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 1, done: false });
    expect(await settled(second)).toBe(true);
  });

  it('holds pushes back past maxWeight, whatever the item count (a few large bodies)', async () => {
    const q = new AsyncQueue<Uint8Array>(64, (b) => b.length, 1000);
    expect(await settled(q.push(new Uint8Array(600)))).toBe(true);
    const heavy = q.push(new Uint8Array(600));
    expect(await settled(heavy)).toBe(false);
    const it = q[Symbol.asyncIterator]();
    expect((await it.next()).value).toHaveLength(600);
    expect(await settled(heavy)).toBe(true);
  });
});
