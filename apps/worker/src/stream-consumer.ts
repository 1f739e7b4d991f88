import { setTimeout as sleep } from 'node:timers/promises';
import {
  chatMessageSchema,
  startStore,
  STREAM_MESSAGE_FIELD,
  STREAM_TRACE_FIELD,
  type ChatMessage,
  type Logger,
  type RedisClient,
} from '@co-talk/common';
import type { StoreResult } from './message-store';
import type { WorkerMetrics } from './worker-metrics';

/**
 * Consumes the message stream with a consumer group. For each batch: parse, store, index, and
 * only then XACK. An entry whose process dies before the XACK stays pending and is delivered
 * again (to this consumer after a failure, to another one through XAUTOCLAIM after a crash);
 * the store is idempotent, so a second delivery is harmless.
 */

/** Where a batch goes once parsed. Both steps must be idempotent and throw on failure. */
export interface BatchSink {
  /**
   * Stores messages: how many were new, and which were copies of a message already stored under
   * the same (room, sender, clientMsgId). Throws a data error for rows that can never be stored.
   */
  store(messages: readonly ChatMessage[]): Promise<StoreResult>;
  /** Indexes messages for search (a no-op when search is not configured). */
  index(messages: readonly ChatMessage[]): Promise<void>;
  /** True for an error caused by the rows themselves rather than the database being unavailable. */
  isDataError(err: unknown): boolean;
}

/** How {@link StreamConsumer} runs. */
export interface StreamConsumerOptions {
  /** A connection of its own: XREADGROUP BLOCK holds it while waiting. */
  readonly redis: RedisClient;
  readonly streamKey: string;
  readonly group: string;
  readonly consumer: string;
  /** Entries that can never be stored go here with the reason, then are acknowledged. */
  readonly deadLetterKey: string;
  readonly batchSize: number;
  readonly blockMs: number;
  readonly claimIdleMs: number;
  readonly claimIntervalMs: number;
  readonly sink: BatchSink;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
}

type StreamEntry = [id: string, fields: string[] | null];

interface ParsedBatch {
  readonly ids: string[];
  readonly messages: ChatMessage[];
  readonly rejected: { id: string; reason: string; raw: string }[];
  /** The trace context of each entry a sampled send wrote (most entries have none). */
  readonly traceparents: string[];
}

export class StreamConsumer {
  private stopping = false;
  private loop?: Promise<void>;
  /** Our own entries still pending (from before a restart, or a failed batch): read them first. */
  private drainOwnPending = true;
  private nextClaimAt = 0;
  private failures = 0;

  constructor(private readonly options: StreamConsumerOptions) {}

  /** Creates the consumer group (from the stream's start, so nothing written earlier is missed). */
  async ensureGroup(): Promise<void> {
    const { redis, streamKey, group } = this.options;
    try {
      await redis.xgroup('CREATE', streamKey, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
  }

  /** Starts consuming; resolves once the group exists. */
  async start(): Promise<void> {
    await this.ensureGroup();
    this.loop = this.run();
  }

  /** Finishes the batch in hand and stops reading. Entries not yet read stay in the stream. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    while (!this.stopping) {
      try {
        await this.step();
        this.failures = 0;
      } catch (err) {
        this.failures += 1;
        this.drainOwnPending = true;
        this.options.metrics.batchFailures.inc();
        const delay = Math.min(100 * 2 ** Math.min(this.failures, 6), 5_000);
        logger.error({ err, retryInMs: delay }, 'batch failed; it stays pending and will be retried');
        await sleep(delay);
      }
    }
  }

  /** One read-store-ack round. Exposed for tests that drive the consumer step by step. */
  async step(): Promise<number> {
    if (Date.now() >= this.nextClaimAt) {
      this.nextClaimAt = Date.now() + this.options.claimIntervalMs;
      const claimed = await this.reclaim();
      if (claimed > 0) return claimed;
    }
    const entries = await this.read(this.drainOwnPending ? '0' : '>');
    if (this.drainOwnPending && entries.length === 0) {
      this.drainOwnPending = false;
      return 0;
    }
    return this.handle(entries);
  }

  /** Takes over entries idle on other consumers for longer than claimIdleMs and processes them. */
  async reclaim(): Promise<number> {
    const { redis, streamKey, group, consumer, claimIdleMs, batchSize } = this.options;
    let cursor = '0-0';
    let total = 0;
    do {
      const [next, entries] = (await redis.xautoclaim(
        streamKey,
        group,
        consumer,
        claimIdleMs,
        cursor,
        'COUNT',
        batchSize,
      )) as [string, StreamEntry[], string[]?];
      cursor = next;
      if (entries.length > 0) {
        this.options.metrics.reclaimed.inc(entries.length);
        this.options.logger.warn({ count: entries.length }, 'reclaimed entries from a stalled consumer');
        total += await this.handle(entries);
      }
    } while (cursor !== '0-0' && !this.stopping);
    return total;
  }

  /**
   * Deletes consumers that hold no entries and have been idle longer than `idleMs` (processes
   * that stopped long ago), so the group's consumer list does not grow with every restart.
   */
  async pruneConsumers(idleMs: number): Promise<string[]> {
    const { redis, streamKey, group, consumer } = this.options;
    const list = (await redis.xinfo('CONSUMERS', streamKey, group)) as (string | number)[][];
    const removed: string[] = [];
    for (const fields of list) {
      const info = new Map<string, string | number>();
      for (let i = 0; i < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
      const name = String(info.get('name'));
      if (name === consumer || Number(info.get('pending')) > 0 || Number(info.get('idle')) < idleMs) continue;
      // DELCONSUMER would drop entries still pending on it; the check above ensures there are none.
      await redis.xgroup('DELCONSUMER', streamKey, group, name);
      removed.push(name);
    }
    return removed;
  }

  private async read(from: '0' | '>'): Promise<StreamEntry[]> {
    const { redis, streamKey, group, consumer, batchSize, blockMs } = this.options;
    const reply = (await redis.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      batchSize,
      'BLOCK',
      blockMs,
      'STREAMS',
      streamKey,
      from,
    )) as [string, StreamEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  private async handle(entries: StreamEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const { metrics, sink, redis, streamKey, group } = this.options;
    const timer = metrics.batchSeconds.startTimer();
    metrics.batchSize.observe(entries.length);
    const batch = parseEntries(entries);

    const unique = dedupe(batch.messages);
    const traced = startStore(batch.traceparents);
    let result: StoreResult;
    try {
      result = await sink.store(unique);
    } catch (err) {
      if (!sink.isDataError(err)) {
        traced.end(err);
        throw err;
      }
      result = await this.storeOneByOne(unique, batch);
    }
    traced.end();
    metrics.stored.inc(result.stored);
    metrics.duplicates.inc(Math.max(0, batch.messages.length - result.stored - countRejectedMessages(batch)));
    // A copy (same sender key, another id) is acknowledged like any duplicate, and not indexed:
    // search would show it twice.
    const skip = new Set([...result.copies, ...batch.rejected.map((r) => r.id)]);
    await sink.index(unique.filter((m) => !skip.has(m.id)));

    for (const entry of batch.rejected) {
      await redis.xadd(this.options.deadLetterKey, '*', 'entry', entry.id, 'reason', entry.reason, 'raw', entry.raw);
    }
    metrics.deadLettered.inc(batch.rejected.length);
    await redis.xack(streamKey, group, ...batch.ids);
    timer();
    return entries.length;
  }

  /** After a data error, stores row by row so one bad row does not hold back the others. */
  private async storeOneByOne(messages: ChatMessage[], batch: ParsedBatch): Promise<StoreResult> {
    let stored = 0;
    const copies: string[] = [];
    for (const message of messages) {
      try {
        const result = await this.options.sink.store([message]);
        stored += result.stored;
        copies.push(...result.copies);
      } catch (err) {
        if (!this.options.sink.isDataError(err)) throw err;
        batch.rejected.push({
          id: message.id,
          reason: `rejected by PostgreSQL: ${(err as Error).message}`,
          raw: JSON.stringify(message),
        });
      }
    }
    return { stored, copies };
  }
}

/** Splits stream entries into valid messages and entries that can never be stored. */
export function parseEntries(entries: StreamEntry[]): ParsedBatch {
  const batch: ParsedBatch = { ids: [], messages: [], rejected: [], traceparents: [] };
  for (const [id, fields] of entries) {
    batch.ids.push(id);
    // A null entry was trimmed from the stream while pending: nothing left to store.
    if (fields === null) continue;
    // Sampled sends carry their trace context as a second field pair.
    if (fields.length > 2) {
      const at = fields.indexOf(STREAM_TRACE_FIELD);
      if (at >= 0 && at % 2 === 0 && fields[at + 1] !== undefined) batch.traceparents.push(fields[at + 1]);
    }
    const index = fields.indexOf(STREAM_MESSAGE_FIELD);
    const raw = index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
    if (raw === undefined) {
      batch.rejected.push({ id, reason: `no "${STREAM_MESSAGE_FIELD}" field`, raw: JSON.stringify(fields) });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      batch.rejected.push({ id, reason: 'not JSON', raw });
      continue;
    }
    const parsed = chatMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      batch.rejected.push({ id, reason: `${issue.path.join('.') || 'message'}: ${issue.message}`, raw });
      continue;
    }
    batch.messages.push(parsed.data);
  }
  return batch;
}

function dedupe(messages: ChatMessage[]): ChatMessage[] {
  const seen = new Map<string, ChatMessage>();
  for (const m of messages) if (!seen.has(m.id)) seen.set(m.id, m);
  return [...seen.values()];
}

/** Rejected entries that parsed as messages (refused by PostgreSQL) are not duplicates. */
function countRejectedMessages(batch: ParsedBatch): number {
  return batch.rejected.filter((r) => batch.messages.some((m) => m.id === r.id)).length;
}
