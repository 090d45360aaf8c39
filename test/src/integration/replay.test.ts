import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory } from '@kpiwall/ingest';
import { kpiApiResponseSchema } from '@kpiwall/shared';
import { startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

// The replay CLI (a real child process on a real file) against the live pipeline fed the same
// lines over HTTP with its clock at as_of: a replay must give what the wall showed.

const run = promisify(execFile);
const asOfMs = Date.parse('2026-11-10T10:17:23.456Z');
const asOf = new Date(asOfMs).toISOString();

const history = generateHistory({ seed: 11, accounts: 20, days: 30, end: asOfMs });
const good = history.map((event) => JSON.stringify(event));
// Three kinds of bad lines and three duplicates, at known places (1-based line numbers).
const badLines = new Map<number, { text: string; reason: string }>([
  [3, { text: '{"id":', reason: 'invalid_json' }],
  [10, { text: '{"id":"x","type":"nope","time":1,"account_id":"a"}', reason: 'unknown_type' }],
  [
    20,
    {
      text: JSON.stringify({
        id: 'future',
        type: 'user.activated',
        account_id: 'a',
        user_id: 'u',
        time: asOfMs + 11 * 60_000,
      }),
      reason: 'time_in_future',
    },
  ],
]);
const duplicates = good.slice(100, 103);
const lines: string[] = [];
for (const line of [...good, ...duplicates]) {
  while (badLines.has(lines.length + 1)) lines.push(badLines.get(lines.length + 1)?.text ?? '');
  lines.push(line);
}

const replayCli = async (file: string, tz: string, rejectedFile: string) => {
  const { stdout, stderr } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      'aggregator/src/replay-cli.ts',
      file,
      '--as-of',
      asOf,
      '--tz',
      tz,
      '--rejected',
      rejectedFile,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const summaryLine = stderr.trim().split('\n').at(-1) ?? '';
  return {
    result: kpiApiResponseSchema.parse(JSON.parse(stdout)),
    summary: JSON.parse(summaryLine) as unknown,
  };
};

describe('npm run replay', () => {
  let dir: string;
  let kpiwall: TestKpiwall;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpiwall-replay-test-'));
    await writeFile(join(dir, 'events.ndjson'), `${lines.join('\n')}\n`);
    kpiwall = await startTestKpiwall({
      now: () => asOfMs,
      env: { KPIWALL_TIME_ZONE: 'Europe/Berlin' },
    });
    for (let i = 0; i < lines.length; i += 5_000) {
      const response = await fetch(`${kpiwall.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: lines.slice(i, i + 5_000).join('\n'),
      });
      expect(response.status).toBe(200);
    }
  });

  afterAll(async () => {
    await kpiwall.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the KPIs the live pipeline shows, a summary, and the rejected lines', async () => {
    const { result, summary } = await replayCli(
      join(dir, 'events.ndjson'),
      'Europe/Berlin',
      join(dir, 'rejected.ndjson'),
    );
    const live = kpiApiResponseSchema.parse(await (await fetch(`${kpiwall.url}/api/kpis`)).json());
    expect(result).toEqual(live);
    expect(result.kpis.dau).toBeGreaterThan(0);
    expect(result.kpis.tickets_waiting_first_reply).toBeGreaterThan(0);

    expect(summary).toEqual({
      replay: {
        lines_read: lines.length,
        accepted: good.length + duplicates.length,
        duplicates_dropped: duplicates.length,
        rejected: badLines.size,
        rejected_by_reason: { invalid_json: 1, unknown_type: 1, time_in_future: 1 },
      },
    });
    const rejected = (await readFile(join(dir, 'rejected.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(rejected).toEqual([...badLines].map(([line, { reason }]) => ({ line, reason })));
  });

  it('answers /api/kpis for another zone (rebuilt from ClickHouse) as a replay in that zone would', async () => {
    const { result } = await replayCli(
      join(dir, 'events.ndjson'),
      'UTC',
      join(dir, 'rejected-utc.ndjson'),
    );
    const response = await fetch(
      `${kpiwall.url}/api/kpis?tz=UTC&as_of=${encodeURIComponent(asOf)}`,
    );
    expect(kpiApiResponseSchema.parse(await response.json())).toEqual(result);
    const bad = await fetch(`${kpiwall.url}/api/kpis?tz=Mars%2FBase`);
    expect(bad.status).toBe(400);
  });
});
