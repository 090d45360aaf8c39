import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { publishBatch } from '@kpiwall/ingest';
import { splitNdjson, type KpiApiResponse } from '@kpiwall/shared';
import { Aggregator } from './aggregator.ts';
import { InProcessQueue } from './source/in-process-queue.ts';
import { ClickHouseStore } from './store/clickhouse.ts';

export type ReplayOptions = {
  /** Opens the NDJSON lines, in file order; called once the pipeline is ready to take them. */
  openLines: () => AsyncIterable<string>;
  asOfMs: number;
  timeZone: string;
  onRejected?: (rejection: { line: number; reason: string }) => void;
  onProgress?: (linesRead: number) => void;
};

export type ReplaySummary = {
  lines_read: number;
  accepted: number;
  duplicates_dropped: number;
  rejected: number;
  rejected_by_reason: Record<string, number>;
};

const chunkLines = 5_000;

/**
 * Sends a file of events through live traffic's path — validation with `as_of` as "now",
 * topics, queue, dedup, KPI state and ClickHouse writes — in a fresh temporary chdb directory,
 * and returns the KPIs as of `as_of` in the /api/kpis shape with a summary of what happened.
 */
export const replay = async (
  options: ReplayOptions,
): Promise<{ result: KpiApiResponse; summary: ReplaySummary }> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kpiwall-replay-'));
  const store = await ClickHouseStore.open({ kind: 'embedded', dataDir }, 'kpiwall');
  try {
    await store.migrate();
    const queue = new InProcessQueue({
      capacity: Number.MAX_SAFE_INTEGER,
      maxBatchMessages: chunkLines,
      maxBatchesInFlight: 4,
      redeliveryDelayMs: 1_000,
    });
    const aggregator = new Aggregator({
      source: queue,
      store,
      timeZone: options.timeZone,
      writerMaxRows: 20_000,
      writerFlushMs: 50,
      now: () => options.asOfMs,
      logger: pino({ level: 'warn' }, pino.destination(2)),
      metrics: new Registry(),
    });
    aggregator.start();

    const summary: ReplaySummary = {
      lines_read: 0,
      accepted: 0,
      duplicates_dropped: 0,
      rejected: 0,
      rejected_by_reason: {},
    };
    let chunk: string[] = [];
    let chunkFirstLine = 1;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const { accepted, rejected } = await publishBatch(
        queue,
        splitNdjson(chunk.join('\n')),
        options.asOfMs,
        'replay',
      );
      summary.accepted += accepted.length;
      for (const { index, reason } of rejected) {
        summary.rejected++;
        summary.rejected_by_reason[reason] = (summary.rejected_by_reason[reason] ?? 0) + 1;
        options.onRejected?.({ line: chunkFirstLine + index, reason });
      }
      chunkFirstLine += chunk.length;
      chunk = [];
      options.onProgress?.(summary.lines_read);
    };
    for await (const line of options.openLines()) {
      if (line.trim() !== '') summary.lines_read++;
      chunk.push(line);
      if (chunk.length >= chunkLines) await flush();
    }
    await flush();
    await aggregator.stop(10_000);
    summary.duplicates_dropped = (await aggregator.messageCounts()).duplicate;
    return {
      result: {
        as_of: new Date(options.asOfMs).toISOString(),
        tz: options.timeZone,
        kpis: aggregator.state.kpis(options.asOfMs),
      },
      summary,
    };
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};
