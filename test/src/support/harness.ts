import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded, type EmbeddedKpiwall } from '@kpiwall/aggregator';
import { parseConfig } from '@kpiwall/shared';

/** A port the OS says is free right now. */
export const freePort = async (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });

export type TestKpiwall = EmbeddedKpiwall & { dataDir: string; dispose(): Promise<void> };

/**
 * An embedded kpiwall on loopback with its own chdb directory (real engine, real HTTP and
 * Socket.IO). `env` overrides configuration variables; `dataDir` reuses a directory (restart).
 */
export const startTestKpiwall = async (
  options: { env?: Record<string, string>; now?: () => number; dataDir?: string } = {},
): Promise<TestKpiwall> => {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kpiwall-test-')));
  const config = parseConfig({
    KPIWALL_HOST: '127.0.0.1',
    KPIWALL_PORT: String(await freePort()),
    KPIWALL_SQL_PORT: String(await freePort()),
    KPIWALL_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const kpiwall = await startEmbedded({ config, ...(options.now ? { now: options.now } : {}) });
  return {
    ...kpiwall,
    dataDir,
    async dispose() {
      await kpiwall.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** POSTs an NDJSON body of events to the collector; returns status and parsed answer. */
export const postEvents = async (
  baseUrl: string,
  events: readonly unknown[],
): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${baseUrl}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: events
      .map((event) => (typeof event === 'string' ? event : JSON.stringify(event)))
      .join('\n'),
  });
  return { status: response.status, body: await response.json() };
};
