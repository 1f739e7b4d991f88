import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';

/**
 * OpenTelemetry tracing for the three apps, configured with the standard variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
 * `OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_ENDPOINT` (OTLP/HTTP; the exporter appends
 * `/v1/traces`), `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, `OTEL_SDK_DISABLED`.
 * Without an endpoint nothing is set up and every helper below costs one no-op call.
 *
 * A message's trace crosses the stream: the gateway's `send` span → its `stream append` child →
 * (the W3C `traceparent` of that child, as an extra field of the stream entry) → the worker's
 * `message store` span. Only sampled sends carry the field, so an unsampled send writes exactly
 * what it wrote before.
 */

/** The variables {@link startTracing} reads: the charts set the first four for every app. */
export const TRACING_ENV_NAMES = [
  'OTEL_SERVICE_NAME',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SDK_DISABLED',
] as const;

/** A span, for call sites that keep one between hooks. */
export type TraceSpan = Span;

/** The stream entry field carrying the W3C trace context of a sampled send. */
export const STREAM_TRACE_FIELD = 'traceparent';

const TRACER_NAME = '@co-talk/common';
const propagator = new W3CTraceContextPropagator();

/** What {@link startTracing} set up: flush on shutdown so the last spans are not lost. */
export interface Tracing {
  readonly provider: TracerProvider;
  shutdown(): Promise<void>;
}

/** Options for tests: an exporter of their own, spans exported one by one. */
export interface TracingOptions {
  readonly exporter?: SpanExporter;
}

/**
 * The sampler the `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` pair names; the spec's
 * default is `parentbased_always_on`. An unknown name or a ratio outside 0..1 is an error naming
 * the variable.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const ratio = (): number => {
    const raw = env.OTEL_TRACES_SAMPLER_ARG;
    const value = raw === undefined || raw.trim() === '' ? 1 : Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new Error(`OTEL_TRACES_SAMPLER_ARG: expected a ratio between 0 and 1, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new Error(
        `OTEL_TRACES_SAMPLER: unknown sampler ${JSON.stringify(name)} (allowed: always_on, always_off, ` +
          'traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio)',
      );
  }
}

/**
 * Installs the global tracer provider when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (or a test passes
 * an exporter); returns undefined, and installs nothing, otherwise.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env, options: TracingOptions = {}): Tracing | undefined {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') return undefined;
  if (options.exporter === undefined && !env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const processor = options.exporter
    ? new SimpleSpanProcessor({ exporter: options.exporter })
    : // Batches in the background: the request path only appends to an in-memory queue.
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });
  const provider = new TracerProvider({
    sampler: samplerFromEnv(env),
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'co-talk' }),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(provider);
  activeTracer = provider.getTracer(TRACER_NAME);
  return {
    provider,
    async shutdown() {
      activeTracer = undefined;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** The started provider's tracer, looked up once: the send path asks for it on every message. */
let activeTracer: Tracer | undefined;
const noopTracer = trace.getTracer(TRACER_NAME);
const tracer = (): Tracer => activeTracer ?? noopTracer;
const UNTRACED_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The trace of one gateway send; {@link NOT_TRACED} when the sampler said no. */
export interface SendTrace {
  /**
   * Runs the stream append (`XADD`) under its own span; `fields` are the extra stream entry
   * fields that carry the trace to the worker (none when not sampled).
   */
  append<T>(run: (fields: readonly string[]) => Promise<T>): Promise<T>;
  /** Ends the send span, as failed when `error` is given. */
  end(error?: unknown): void;
}

const NO_FIELDS: readonly string[] = [];
/** A send that is not traced: no span, no stream field, no allocation. */
export const NOT_TRACED: SendTrace = { append: (run) => run(NO_FIELDS), end: () => undefined };

/**
 * Starts the trace of one send. The sampler decides here, once per send; fan-out deliveries get
 * no spans of their own (one send reaches thousands of sockets).
 */
export function startSend(attributes: Attributes): SendTrace {
  // Attributes only once sampled: an unsampled send pays for the sampler's decision alone, and
  // with tracing off not even that.
  if (activeTracer === undefined) return NOT_TRACED;
  const send = tracer().startSpan('chat send', { kind: SpanKind.INTERNAL }, ROOT_CONTEXT);
  if (!send.isRecording()) return NOT_TRACED;
  send.setAttributes(attributes);
  const sendContext = trace.setSpan(ROOT_CONTEXT, send);
  return {
    async append(run) {
      const append = tracer().startSpan(
        'chat stream append',
        { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'redis', 'messaging.operation.type': 'send' } },
        sendContext,
      );
      const carrier: Record<string, string> = {};
      propagator.inject(trace.setSpan(ROOT_CONTEXT, append), carrier, {
        set: (c, key, value) => (c[key] = value),
      });
      const fields = carrier[STREAM_TRACE_FIELD] ? [STREAM_TRACE_FIELD, carrier[STREAM_TRACE_FIELD]] : NO_FIELDS;
      try {
        return await run(fields);
      } catch (err) {
        fail(append, err);
        throw err;
      } finally {
        append.end();
      }
    },
    end(error) {
      if (error !== undefined) fail(send, error);
      send.end();
    },
  };
}

/** The trace context a stream entry's `traceparent` field carries, or undefined. */
export function contextFromTraceparent(traceparent: string | undefined): Context | undefined {
  if (traceparent === undefined) return undefined;
  const extracted = propagator.extract(
    ROOT_CONTEXT,
    { [STREAM_TRACE_FIELD]: traceparent },
    {
      get: (c, key) => c[key],
      keys: (c) => Object.keys(c),
    },
  );
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

/** The spans of one worker batch's traced entries; ended together when the batch is stored. */
export interface StoreTrace {
  end(error?: unknown): void;
}

const NOTHING_TRACED: StoreTrace = { end: () => undefined };

/**
 * One `message store` span per traced entry of a batch (`traceparents` holds the field of each
 * entry that had one), each a child of its send's `stream append` span. Untraced entries cost
 * nothing; a batch without any returns a shared no-op.
 */
export function startStore(traceparents: readonly string[], attributes: Attributes = {}): StoreTrace {
  if (traceparents.length === 0) return NOTHING_TRACED;
  const spans: Span[] = [];
  for (const traceparent of traceparents) {
    const parent = contextFromTraceparent(traceparent);
    if (parent === undefined) continue;
    spans.push(
      tracer().startSpan(
        'chat message store',
        {
          kind: SpanKind.CONSUMER,
          attributes: { 'messaging.system': 'redis', 'messaging.operation.type': 'process', ...attributes },
        },
        parent,
      ),
    );
  }
  return {
    end(error) {
      for (const span of spans) {
        if (error !== undefined) fail(span, error);
        span.end();
      }
    },
  };
}

/**
 * A server span for an incoming request (HTTP, or the WebSocket upgrade), continuing the
 * caller's trace when its headers carry a `traceparent`. End it with {@link endServerSpan}.
 */
export function startServerSpan(
  name: string,
  headers: Record<string, string | string[] | undefined>,
  attributes: Attributes,
): Span {
  // Tracing off: no context to read, no span to make (the gateway calls this on every upgrade).
  if (activeTracer === undefined) return UNTRACED_SPAN;
  const parent = propagator.extract(ROOT_CONTEXT, headers, {
    get: (c, key) => c[key],
    keys: (c) => Object.keys(c),
  });
  return tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
}

/**
 * Ends a server span with its status code, when known (5xx marks it failed), and outcome
 * attributes. Ending an ended (or unsampled) span does nothing.
 */
export function endServerSpan(span: Span, statusCode: number | undefined, attributes: Attributes = {}): void {
  if (!span.isRecording()) return;
  if (statusCode !== undefined) span.setAttribute('http.response.status_code', statusCode);
  span.setAttributes(attributes);
  if (statusCode !== undefined && statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
