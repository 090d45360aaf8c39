import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { KpiwallConfig } from '@kpiwall/shared';
import { Aggregator } from './aggregator.ts';
import { kpisFromStore } from './kpis-from-store.ts';
import { createHttpServer, defaultWebHandlerPath, type HttpServer } from './server.ts';
import { InProcessQueue } from './source/in-process-queue.ts';
import { startClickHouseHttpInterface } from './store/clickhouse-http-interface.ts';
import { ClickHouseStore, type ClickHouseTarget } from './store/clickhouse.ts';
import { MinuteRecorder } from './store/minute-recorder.ts';
import { WallPublisher } from './wall/wall-publisher.ts';

export type EmbeddedOptions = {
  config: KpiwallConfig;
  now?: () => number;
  logger?: Logger;
  webHandlerPath?: string;
};

/** A running embedded deployment: collector, in-process queue, aggregator, ClickHouse, wall. */
export type EmbeddedKpiwall = {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  store: ClickHouseStore;
  aggregator: Aggregator;
  publisher: WallPublisher;
  queue: InProcessQueue;
  http: HttpServer;
  recorder: MinuteRecorder;
  /** Read-only ClickHouse HTTP interface for engineers (embedded chdb only; null with a server). */
  sqlUrl: string | null;
  close(): Promise<void>;
};

const shutdownGraceMs = 10_000;

const clickHouseTargetOf = (config: KpiwallConfig): ClickHouseTarget =>
  config.CLICKHOUSE_URL
    ? {
        kind: 'server',
        url: config.CLICKHOUSE_URL,
        user: config.CLICKHOUSE_USER,
        password: config.CLICKHOUSE_PASSWORD,
      }
    : { kind: 'embedded', dataDir: config.KPIWALL_DATA_DIR };

/**
 * Starts everything in this process (DESIGN.md "Runtime modes", embedded): migrations, state
 * rebuilt from ClickHouse, then the HTTP server listening on the configured host and port.
 */
export const startEmbedded = async (options: EmbeddedOptions): Promise<EmbeddedKpiwall> => {
  const { config } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? pino({ level: config.LOG_LEVEL });
  const metrics = new Registry();

  const target = clickHouseTargetOf(config);
  const store = await ClickHouseStore.open(target, config.CLICKHOUSE_DATABASE);
  const applied = await store.migrate();
  if (applied.length > 0) logger.info({ versions: applied }, 'applied ClickHouse migrations');

  const queue = new InProcessQueue({
    capacity: config.KPIWALL_QUEUE_CAPACITY,
    maxBatchMessages: config.KPIWALL_WRITER_BATCH_ROWS,
    maxBatchesInFlight: 8,
    redeliveryDelayMs: 1_000,
  });
  const aggregator = new Aggregator({
    source: queue,
    store,
    timeZone: config.KPIWALL_TIME_ZONE,
    writerMaxRows: config.KPIWALL_WRITER_BATCH_ROWS,
    writerFlushMs: config.KPIWALL_WRITER_FLUSH_MS,
    now,
    logger,
    metrics,
  });
  const restored = await aggregator.restore();
  logger.info({ events: restored }, 'rebuilt KPI state from ClickHouse');

  const view = {
    get version() {
      return aggregator.version;
    },
    kpis: (asOf: number) => aggregator.state.wallKpis(asOf),
    activeUsersPerMinute: (asOf: number) => aggregator.state.activeUsersPerMinute(asOf),
  };
  const http = await createHttpServer({
    logger,
    metrics,
    producer: queue,
    store,
    now,
    maxBodyBytes: config.KPIWALL_MAX_BODY_BYTES,
    kpisAsOf: async (asOfMs, timeZone) => {
      const asOf = asOfMs ?? now();
      const tz = timeZone ?? config.KPIWALL_TIME_ZONE;
      const live = tz === config.KPIWALL_TIME_ZONE && asOf >= aggregator.state.retainedFromMs;
      const kpis = live ? aggregator.state.kpis(asOf) : await kpisFromStore(store, tz, asOf);
      return { as_of: new Date(asOf).toISOString(), tz, kpis };
    },
    health: () => ({ queue_depth: queue.depth }),
    webHandlerPath: options.webHandlerPath ?? defaultWebHandlerPath,
  });
  const publisher = new WallPublisher({
    io: http.io,
    view,
    timeZone: config.KPIWALL_TIME_ZONE,
    now,
    intervalMs: config.KPIWALL_DELTA_INTERVAL_MS,
    metrics,
  });
  const forgetTimer = setInterval(() => {
    aggregator.state.forgetBefore(now());
  }, 60_000);

  // With a ClickHouse server, engineers query it directly (clickhouse-client, Grafana).
  const sql =
    target.kind === 'embedded'
      ? await startClickHouseHttpInterface({
          dataDir: target.dataDir,
          readOnly: true,
          limits: {
            maxExecutionTimeSeconds: config.KPIWALL_SQL_MAX_EXECUTION_SECONDS,
            maxResultRows: config.KPIWALL_SQL_MAX_RESULT_ROWS,
            maxMemoryUsageBytes: config.KPIWALL_SQL_MAX_MEMORY_BYTES,
          },
          host: config.KPIWALL_SQL_HOST,
          port: config.KPIWALL_SQL_PORT,
          defaultDatabase: config.CLICKHOUSE_DATABASE,
        })
      : null;

  const recorder = new MinuteRecorder({
    store,
    timeZone: config.KPIWALL_TIME_ZONE,
    kpis: (asOf) => aggregator.state.kpis(asOf),
    firedHealthSignals: (asOf) => aggregator.state.firedHealthSignals(asOf),
    now,
    logger,
  });
  await recorder.restore();

  aggregator.start();
  publisher.start();
  recorder.start();
  await http.app.listen({
    host: config.KPIWALL_HOST,
    port: config.KPIWALL_PORT,
    listenTextResolver: (address) => `HTTP server listening on port ${new URL(address).port}`,
  });
  const address = http.app.server.address() as AddressInfo;
  const host = config.KPIWALL_HOST === '0.0.0.0' ? '127.0.0.1' : config.KPIWALL_HOST;

  return {
    url: `http://${host}:${address.port}`,
    store,
    aggregator,
    publisher,
    queue,
    http,
    recorder,
    sqlUrl: sql?.url ?? null,
    async close() {
      clearInterval(forgetTimer);
      recorder.stop();
      await sql?.close();
      publisher.stop();
      await http.io.close();
      await http.app.close();
      await aggregator.stop(shutdownGraceMs);
      await store.close();
    },
  };
};
