import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { MESSAGE_STREAM_KEY } from '../src/chat-message';
import { samplerFromEnv, startTracing, STREAM_TRACE_FIELD, type Tracing } from '../src/tracing';
import { MessageStore } from '../../gateway/src/message-store';
import { startWorker, type Worker } from '../../worker/src/worker';
import { workerTestEnv } from '../../worker/test/test-env';
import { waitFor } from '../../worker/test/messages';
import { useTestStores } from '../../test/support/test-stores';

jest.setTimeout(60_000);

describe('one trace from a gateway send to the worker insert (real Redis and PostgreSQL)', () => {
  let worker: Worker | undefined;
  let tracing: Tracing | undefined;
  const t = useTestStores({
    stopWriters: async () => {
      await worker?.stop();
      worker = undefined;
      await tracing?.shutdown();
      tracing = undefined;
    },
  });
  const exporter = new InMemorySpanExporter();

  const store = () =>
    new MessageStore(t.redis, t.redis, {
      keyPrefix: t.prefix,
      idempotencyTtlSeconds: 60,
      streamMaxLen: 1000,
      sharded: false,
      perUser: { perSecond: 100, burst: 100 },
      perAddress: { perSecond: 100, burst: 100 },
    });
  const accept = async (content: string) => {
    const accepted = await store().accept({
      senderId: randomUUID(),
      address: '127.0.0.1',
      roomId: randomUUID(),
      clientMsgId: randomUUID(),
      content,
    });
    if (accepted.kind !== 'stored') throw new Error(`expected the message stored, got ${accepted.kind}`);
    return accepted;
  };
  const stored = async (id: string) =>
    (await t.db.pool.query('SELECT 1 FROM messages WHERE id = $1', [id])).rowCount === 1;
  const named = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);

  beforeEach(() => exporter.reset());

  it('links send → stream append → message store through the traceparent in the stream entry', async () => {
    // Given tracing on, every send sampled, and a worker consuming the stream
    tracing = startTracing({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_SERVICE_NAME: 'test' }, { exporter });
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix));
    // When the gateway accepts a message
    const accepted = await accept('hello, traced');
    await waitFor('the message stored', () => stored(accepted.id));
    await waitFor('the store span ended', async () => named('chat message store').length === 1);

    // Then the stream entry carries a W3C traceparent next to the message
    const [[, fields]] = (await t.redis.xrange(`${t.prefix}${MESSAGE_STREAM_KEY}`, '-', '+')) as [string, string[]][];
    expect(fields[2]).toBe(STREAM_TRACE_FIELD);
    expect(fields[3]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // And one trace runs from the send through the append to the worker's insert
    const [send] = named('chat send');
    const [append] = named('chat stream append');
    const [insert] = named('chat message store');
    const traceId = send.spanContext().traceId;
    expect(send.parentSpanContext).toBeUndefined();
    expect(append.spanContext().traceId).toBe(traceId);
    expect(append.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(insert.spanContext().traceId).toBe(traceId);
    expect(insert.parentSpanContext?.spanId).toBe(append.spanContext().spanId);
    expect(fields[3]).toBe(`00-${traceId}-${append.spanContext().spanId}-01`);
  });

  it('an unsampled send writes no trace field and no span, and is stored all the same', async () => {
    // Given tracing on with a sampler that never samples a new trace
    tracing = startTracing(
      { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
      { exporter },
    );
    worker = await startWorker(workerTestEnv(t.db.url, t.prefix));
    // When the gateway accepts a message
    const accepted = await accept('not traced');
    await waitFor('the message stored', () => stored(accepted.id));
    // Then the entry holds the message field only, and nothing was exported
    const [[, fields]] = (await t.redis.xrange(`${t.prefix}${MESSAGE_STREAM_KEY}`, '-', '+')) as [string, string[]][];
    expect(fields).toHaveLength(2);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

describe('samplerFromEnv', () => {
  it('reads the standard sampler names and ratio', () => {
    expect(samplerFromEnv({}).toString()).toMatch(/ParentBased\{root=AlwaysOnSampler/);
    expect(
      samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' }).toString(),
    ).toMatch(/TraceIdRatioBased\{0.01\}/);
  });

  it('names the variable and the allowed values when a value is wrong', () => {
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      /OTEL_TRACES_SAMPLER: unknown sampler "sometimes" \(allowed: always_on/,
    );
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      /OTEL_TRACES_SAMPLER_ARG: expected a ratio between 0 and 1, got "2"/,
    );
  });

  it('installs nothing without an OTLP endpoint', () => {
    expect(startTracing({})).toBeUndefined();
  });
});
