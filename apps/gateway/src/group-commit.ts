/**
 * Sends items in batches, one batch in flight at a time (group commit): what arrives while a batch
 * is out goes together in the next. On a quiet process an item waits for nothing but its own send;
 * under load the batches grow rather than the sends multiply. A batch starts on the event-loop turn
 * after its first item (`setImmediate`), so the items of one turn always go together. Two group
 * commits are independent: one whose batch is out holds its new items back while the other sends.
 */
export class GroupCommit<T> {
  private waiting: T[] = [];
  /** A batch is out or scheduled. */
  private busy = false;

  /** `send` must settle (resolve or reject) for the next batch to go. */
  constructor(private readonly send: (batch: T[]) => Promise<unknown>) {}

  add(item: T): void {
    this.waiting.push(item);
    if (!this.busy) {
      this.busy = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    const batch = this.waiting;
    if (batch.length === 0) {
      this.busy = false;
      return;
    }
    this.waiting = [];
    this.send(batch).then(this.next, this.next);
  };

  private readonly next = (): void => void setImmediate(this.flush);
}
