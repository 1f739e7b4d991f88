/**
 * A fixed-bucket latency recorder (10 µs buckets up to 10 s): constant memory however many
 * deliveries a run counts, mergeable across client processes.
 */
export const BUCKET_US = 10;
export const BUCKETS = 1_000_000;

export class LatencyRecorder {
  readonly counts = new Uint32Array(BUCKETS + 1);
  total = 0;

  record(latencyUs: number): void {
    const bucket = latencyUs <= 0 ? 0 : Math.min(BUCKETS, Math.floor(latencyUs / BUCKET_US));
    this.counts[bucket] += 1;
    this.total += 1;
  }

  /** Sparse form for IPC. */
  toSparse(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    this.counts.forEach((count, bucket) => {
      if (count > 0) out.push([bucket, count]);
    });
    return out;
  }

  merge(sparse: Array<[number, number]>): void {
    for (const [bucket, count] of sparse) {
      this.counts[bucket] += count;
      this.total += count;
    }
  }

  /** The latency (ms) below which `fraction` of the deliveries fell. */
  percentileMs(fraction: number): number {
    const target = Math.ceil(this.total * fraction);
    let seen = 0;
    for (let bucket = 0; bucket <= BUCKETS; bucket++) {
      seen += this.counts[bucket];
      if (seen >= target) return ((bucket + 1) * BUCKET_US) / 1000;
    }
    return Number.NaN;
  }
}

/** Microseconds on the system-wide monotonic clock: comparable between processes on one machine. */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
