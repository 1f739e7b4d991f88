import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The worker's own series, beside the process metrics of the registry. */
export interface WorkerMetrics {
  readonly stored: Counter;
  readonly duplicates: Counter;
  readonly deadLettered: Counter;
  readonly reclaimed: Counter;
  readonly batchFailures: Counter;
  readonly batchSize: Histogram;
  readonly batchSeconds: Histogram;
  readonly lag: Gauge;
  readonly pending: Gauge;
}

/**
 * Registers the worker's metrics. `streamState` feeds the lag and pending gauges at scrape
 * time (XINFO GROUPS), so they are exact when read and cost nothing in between.
 */
export function createWorkerMetrics(
  registry: Registry,
  streamState: () => Promise<{ lag: number; pending: number }>,
): WorkerMetrics {
  const registers = [registry];
  let state: Promise<{ lag: number; pending: number }> | undefined;
  // Both gauges read one XINFO answer per scrape.
  const read = (): Promise<{ lag: number; pending: number }> => {
    state ??= streamState().finally(() => setImmediate(() => (state = undefined)));
    return state;
  };
  return {
    stored: new Counter({ name: 'worker_messages_stored_total', help: 'Messages newly stored', registers }),
    duplicates: new Counter({
      name: 'worker_messages_duplicate_total',
      help: 'Deliveries of messages already stored (redeliveries, resends)',
      registers,
    }),
    deadLettered: new Counter({
      name: 'worker_messages_dead_lettered_total',
      help: 'Entries that can never be stored, moved to the dead-letter stream',
      registers,
    }),
    reclaimed: new Counter({
      name: 'worker_entries_reclaimed_total',
      help: 'Entries taken over from consumers that stopped acknowledging',
      registers,
    }),
    batchFailures: new Counter({
      name: 'worker_batch_failures_total',
      help: 'Batches that could not be stored or indexed (retried later)',
      registers,
    }),
    batchSize: new Histogram({
      name: 'worker_batch_size',
      help: 'Entries per batch',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 5000],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'worker_batch_duration_seconds',
      help: 'Time to store, index and acknowledge a batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    lag: new Gauge({
      name: 'worker_stream_lag',
      help: 'Entries in the stream not yet delivered to the consumer group',
      registers,
      async collect() {
        this.set((await read()).lag);
      },
    }),
    pending: new Gauge({
      name: 'worker_stream_pending',
      help: 'Entries delivered but not yet acknowledged',
      registers,
      async collect() {
        this.set((await read()).pending);
      },
    }),
  };
}
