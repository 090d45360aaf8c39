import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { io } from 'socket.io-client';
import { generateHistory } from '@kpiwall/ingest';
import { validateEvent, wallDeltaSchema, wallSnapshotSchema } from '@kpiwall/shared';
import { ClickHouseStore, eventToRow, replay } from '@kpiwall/aggregator';
import { startTestKpiwall } from '../support/harness.ts';

/**
 * Events/s through the embedded pipeline (HTTP collector → in-process queue → aggregator →
 * chdb, then the wall delta pushed over Socket.IO) next to a bare chdb JSONEachRow insert of
 * the same rows, and replay lines/s (npm run replay's path on a 60,000-line NDJSON file), all
 * measured in this run on this machine; the ratios are what to compare.
 */

const batchLines = 5_000;
const end = Date.now();
const benchLines = 60_000;
const history = generateHistory({ seed: 7, accounts: 80, days: 30, end }).slice(-benchLines);
if (history.length < benchLines) throw new Error(`history too short: ${history.length} events`);
const lines = history.map((event) => JSON.stringify(event));
const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};
log(`bench: ${lines.length} simulated events (the last ${lines.length} of 30 days, 80 accounts)`);

const baseline = async (): Promise<number> => {
  const dir = await mkdtemp(join(tmpdir(), 'kpiwall-bench-bare-'));
  const store = await ClickHouseStore.open({ kind: 'embedded', dataDir: dir }, 'bench_bare');
  await store.migrate();
  const rows = history.map((raw) => {
    const result = validateEvent(raw, end, end);
    if (!result.ok) throw new Error(`simulated event rejected: ${result.reason}`);
    return eventToRow(result.event);
  });
  const started = performance.now();
  for (let i = 0; i < rows.length; i += batchLines) {
    await store.insert('events', rows.slice(i, i + batchLines));
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return rows.length / seconds;
};

const pipeline = async (): Promise<number> => {
  const kpiwall = await startTestKpiwall({ now: () => end });
  const socket = io(kpiwall.url, { transports: ['websocket'] });
  // What the wall shows: the snapshot folded with every delta since.
  const shown: Record<string, number | null> = {};
  socket.on('snapshot', (payload: unknown) => {
    Object.assign(shown, wallSnapshotSchema.parse(payload).kpis);
  });
  socket.on('delta', (payload: unknown) => {
    Object.assign(shown, wallDeltaSchema.parse(payload).kpis);
  });
  await new Promise<void>((resolve) =>
    socket.once('snapshot', () => {
      resolve();
    }),
  );

  const started = performance.now();
  for (let i = 0; i < lines.length; i += batchLines) {
    const response = await fetch(`${kpiwall.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: lines.slice(i, i + batchLines).join('\n'),
    });
    const answer = (await response.json()) as { accepted: number };
    if (answer.accepted !== Math.min(batchLines, lines.length - i)) {
      throw new Error(`batch at ${i}: ${JSON.stringify(answer)}`);
    }
    if ((i / batchLines) % 4 === 0)
      log(`  pipeline: ${i + batchLines}/${lines.length} events posted`);
  }
  // Done when the wall shows the final numbers (pushed over Socket.IO), polled every 5 ms.
  const final = JSON.stringify(kpiwall.aggregator.state.wallKpis(end));
  const sameAsFinal = () =>
    JSON.stringify(
      Object.fromEntries(Object.keys(JSON.parse(final) as object).map((k) => [k, shown[k]])),
    ) === final;
  while (!sameAsFinal()) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  socket.close();
  await kpiwall.dispose();
  return lines.length / seconds;
};

const replayFile = async (): Promise<number> => {
  const dir = await mkdtemp(join(tmpdir(), 'kpiwall-bench-replay-'));
  const file = join(dir, 'events.ndjson');
  await writeFile(file, `${lines.join('\n')}\n`);
  const started = performance.now();
  const { summary } = await replay({
    openLines: () => createInterface({ input: createReadStream(file), crlfDelay: Infinity }),
    asOfMs: end,
    timeZone: 'UTC',
  });
  const seconds = (performance.now() - started) / 1000;
  await rm(dir, { recursive: true, force: true });
  if (summary.lines_read !== lines.length || summary.rejected !== 0) {
    throw new Error(`replay summary: ${JSON.stringify(summary)}`);
  }
  return lines.length / seconds;
};

const bare = await baseline();
const full = await pipeline();
const replayed = await replayFile();
console.log(
  JSON.stringify(
    {
      events: lines.length,
      bare_chdb_insert_events_per_s: Math.round(bare),
      pipeline_events_per_s: Math.round(full),
      pipeline_to_bare_ratio: Number((full / bare).toFixed(3)),
      replay_lines_per_s: Math.round(replayed),
      replay_to_bare_ratio: Number((replayed / bare).toFixed(3)),
    },
    null,
    2,
  ),
);
