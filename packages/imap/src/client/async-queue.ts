/**
 * An AsyncQueue hands items from the connection loop to an async iterator with bounded
 * buffering: `push` resolves once there is room — fewer than `capacity` items and, where
 * items are weighed (bytes of the bodies a FetchResult carries), no more than `maxWeight`
 * — so a slow consumer slows the socket reads (backpressure) instead of growing memory.
 * `end`/`fail` finish the iteration; a consumer that stops early makes every later push
 * resolve at once (items dropped).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private weight = 0;
  private pull: ((r: IteratorResult<T>) => void) | null = null;
  private pullReject: ((e: unknown) => void) | null = null;
  private done = false;
  private failure: unknown = null;
  private abandoned = false;

  constructor(
    private readonly capacity = 16,
    private readonly weigh: (item: T) => number = () => 0,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}

  private get full(): boolean {
    return this.items.length >= this.capacity || this.weight > this.maxWeight;
  }

  /**
   * Adds an item; returns a promise that resolves when the queue has room again, or
   * undefined when it still has room (nothing to wait for, no promise made).
   */
  push(item: T): Promise<void> | undefined {
    if (this.abandoned || this.done) return undefined;
    if (this.pull) {
      const p = this.pull;
      this.pull = this.pullReject = null;
      p({ value: item, done: false });
      return undefined;
    }
    this.items.push(item);
    this.weight += this.weigh(item);
    if (!this.full) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  end(): void {
    this.done = true;
    this.settle();
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.failure = error;
    this.done = true;
    this.settle();
  }

  /** True once the consumer stopped iterating. */
  get stopped(): boolean {
    return this.abandoned;
  }

  private settle(): void {
    if (!this.pull || this.items.length > 0) return;
    const p = this.pull;
    const r = this.pullReject!;
    this.pull = this.pullReject = null;
    if (this.failure !== null) r(this.failure);
    else p({ value: undefined, done: true });
  }

  private release(): void {
    while (this.roomWaiters.length > 0 && !this.full) this.roomWaiters.shift()!();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) {
          this.weight -= this.weigh(item);
          this.release();
          return Promise.resolve({ value: item, done: false });
        }
        if (this.done) return this.failure !== null ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.pull = resolve;
          this.pullReject = reject;
        });
      },
      return: () => {
        this.abandoned = true;
        this.items.length = 0;
        this.weight = 0;
        for (const w of this.roomWaiters.splice(0)) w();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
