import http from 'node:http';
import https from 'node:https';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { setTracingEnabled } from './tracing-state';

export interface StartTracingOptions {
  /** `service.name` of every span, e.g. `dreamqueue-api`. */
  serviceName: string;
  /** Where finished spans go: `createOtlpExporter(url)` in production, an in-memory exporter in tests. */
  exporter: SpanExporter;
  /** Trace incoming HTTP requests (server spans). @defaultValue true */
  httpServer?: boolean;
  /** Request paths never traced (probes and scrapes would drown the real traffic). */
  ignorePaths?: string[];
}

export interface Tracing {
  /** Exports every finished span now (tests; shutdown does it too). */
  forceFlush(): Promise<void>;
  /** Flushes, then restores the no-op API so nothing is traced any more. */
  shutdown(): Promise<void>;
}

const DEFAULT_IGNORED = ['/healthz', '/readyz', '/metrics'];

/**
 * Turns tracing on for this process: a tracer provider with W3C trace-context propagation and an
 * async-local context, batching spans to `exporter`, and server spans for incoming HTTP requests.
 * Outgoing HTTP is deliberately not instrumented: SDK calls get explicit client spans without URLs, and
 * webhook URLs may carry their receivers' secrets.
 *
 * Call it once from a composition root, and only when tracing is enabled; until then every helper of this
 * lib is a no-op and no trace context is put into jobs.
 */
export function startTracing(options: StartTracingOptions): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(options.exporter)],
  });
  provider.register();
  const ignored = new Set([...DEFAULT_IGNORED, ...(options.ignorePaths ?? [])]);
  const server = new HttpInstrumentation({
    disableOutgoingRequestInstrumentation: true,
    ignoreIncomingRequestHook: (req) => ignored.has((req.url ?? '').split('?')[0]!),
  });
  const instrumentations = options.httpServer === false ? [] : [server];
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations });
  if (options.httpServer !== false) patchLoadedHttp(server);
  setTracingEnabled(true);

  return {
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      setTracingEnabled(false);
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** An OTLP/HTTP (protobuf-JSON) exporter to `<endpoint>/v1/traces`, e.g. an OpenTelemetry Collector on :4318. */
export function createOtlpExporter(endpoint: string): SpanExporter {
  return new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
}

/**
 * The HTTP instrumentation patches `http` when it is next required through Node's module loader. A
 * composition root has usually loaded it already (Express), and Jest's loader bypasses the hook, so apply
 * the patch to the loaded modules now. The instrumentation guards against patching twice, and keeps the
 * module so that shutdown unpatches it.
 */
function patchLoadedHttp(instrumentation: HttpInstrumentation): void {
  const loaded: Record<string, unknown> = { http, https };
  for (const definition of instrumentation.getModuleDefinitions()) {
    if (definition.moduleExports || !loaded[definition.name]) continue;
    definition.moduleExports = loaded[definition.name];
    definition.patch?.(definition.moduleExports, process.versions.node);
  }
}
