/** Counting semaphore: bounds the devices probed at once by one replica. */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly capacity: number) {
    this.available = capacity;
  }

  get inUse(): number {
    return this.capacity - this.available;
  }

  acquire(): Promise<void> | undefined {
    if (this.available > 0) {
      this.available -= 1;
      return undefined;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.available += 1;
  }

  /** Runs `fn` holding one permit. The fast path does not allocate a promise for the permit. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const wait = this.acquire();
    if (wait) await wait;
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
