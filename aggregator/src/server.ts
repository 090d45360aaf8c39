import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Server as SocketServer } from 'socket.io';
import { registerCollector, type MessageProducer } from '@kpiwall/ingest';
import { kpiApiQuerySchema, type KpiApiResponse } from '@kpiwall/shared';
import type { ClickHouseStore } from './store/clickhouse.ts';

/** The built SvelteKit wall (adapter-node), served on the same origin as its Socket.IO feed. */
export const defaultWebHandlerPath = fileURLToPath(
  new URL('../../web/build/handler.js', import.meta.url),
);

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export type HttpServerOptions = {
  logger: FastifyBaseLogger;
  metrics: Registry;
  producer: MessageProducer;
  store: ClickHouseStore;
  now: () => number;
  maxBodyBytes: number;
  /** KPI values for `/api/kpis`; `asOfMs` and `timeZone` undefined mean now and the configured zone. */
  kpisAsOf: (asOfMs: number | undefined, timeZone: string | undefined) => Promise<KpiApiResponse>;
  /** Extra health facts (queue depth and the like). */
  health: () => Record<string, number>;
  webHandlerPath: string;
};

export type HttpServer = { app: FastifyInstance; io: SocketServer };

/**
 * One HTTP origin for everything a deployment exposes: the collector (`POST /v1/events`),
 * `/healthz`, Prometheus `/metrics`, `/api/kpis`, the Socket.IO feed and the wall pages.
 */
export const createHttpServer = async (options: HttpServerOptions): Promise<HttpServer> => {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.maxBodyBytes,
    // Per-request lines would drown the log: the simulator alone posts several times a second.
    logController: new LogController({ disableRequestLogging: true }),
  });
  collectDefaultMetrics({ register: options.metrics, prefix: 'kpiwall_' });

  await registerCollector(app, {
    producer: options.producer,
    now: options.now,
    maxBodyBytes: options.maxBodyBytes,
    metrics: options.metrics,
  });

  app.get('/healthz', async (_request, reply) => {
    const clickhouse = await options.store.ping().catch(() => false);
    return reply
      .code(clickhouse ? 200 : 503)
      .send({ status: clickhouse ? 'ok' : 'degraded', clickhouse, ...options.health() });
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(options.metrics.contentType).send(await options.metrics.metrics());
  });

  app.get('/api/kpis', async (request, reply) => {
    const query = kpiApiQuerySchema.safeParse(request.query);
    if (!query.success) {
      return reply.code(400).send({
        error: 'invalid_query',
        issues: query.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      });
    }
    const asOf = query.data.as_of === undefined ? undefined : Date.parse(query.data.as_of);
    return options.kpisAsOf(asOf, query.data.tz);
  });

  const webHandler = existsSync(options.webHandlerPath)
    ? ((await import(options.webHandlerPath)) as { handler: NodeHandler }).handler
    : null;
  app.setNotFoundHandler((request, reply) => {
    if (!webHandler || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return reply.code(404).send({
        error: 'not_found',
        hint: webHandler ? undefined : 'the wall is not built: run `npm run build -w web`',
      });
    }
    reply.hijack();
    webHandler(request.raw, reply.raw, () => {
      reply.raw.statusCode = 404;
      reply.raw.end('Not found');
    });
    return reply;
  });

  const io = new SocketServer(app.server, { serveClient: false });
  return { app, io };
};
