import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  kpiApiResponseSchema,
  wallDeltaSchema,
  wallSnapshotSchema,
  type WallDelta,
  type WallSnapshot,
} from '@kpiwall/shared';
import { postEvents, startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

// Real parts end to end: HTTP collector → in-process queue → aggregator → chdb, and a real
// socket.io-client on loopback. Expected values are counted from the events this test sends.

const iso = (ms: number): string => new Date(ms).toISOString();

const makeBatch = (runId: string, nowMs: number): unknown[] => [
  {
    id: `${runId}-view-1`,
    type: 'page.viewed',
    time: iso(nowMs - 1_000),
    account_id: 'acme',
    user_id: `${runId}-ada`,
    session_id: 's1',
    path: '/home',
  },
  {
    id: `${runId}-ticket-1`,
    type: 'ticket.created',
    time: iso(nowMs - 60_000),
    account_id: 'acme',
    ticket_id: `${runId}-T1`,
    priority: 'high',
    channel: 'email',
  },
  { id: `${runId}-bad-1`, type: 'ticket.created', time: iso(nowMs), account_id: 'acme' },
  'this is not json',
  {
    id: `${runId}-view-2`,
    type: 'feature.used',
    time: iso(nowMs - 500),
    account_id: 'acme',
    user_id: `${runId}-bob`,
    feature: 'export',
    extra_field: { kept: true },
  },
  {
    id: `${runId}-bad-2`,
    type: 'survey.answered',
    time: iso(nowMs),
    account_id: 'acme',
    kind: 'csat',
    score: '5',
  },
];

class WallClient {
  readonly socket: Socket;
  readonly snapshots: WallSnapshot[] = [];
  readonly deltas: WallDelta[] = [];

  constructor(url: string) {
    this.socket = io(url, { transports: ['websocket'], reconnection: false });
    this.socket.on('snapshot', (payload: unknown) => {
      this.snapshots.push(wallSnapshotSchema.parse(payload));
    });
    this.socket.on('delta', (payload: unknown) => {
      this.deltas.push(wallDeltaSchema.parse(payload));
    });
  }

  /** The latest value of a KPI: the snapshot folded with every delta after it. */
  latest(key: keyof WallSnapshot['kpis']): number | null | undefined {
    const snapshot = this.snapshots.at(-1);
    if (!snapshot) return undefined;
    let value = snapshot.kpis[key];
    for (const delta of this.deltas) {
      if (delta.seq > snapshot.seq && key in delta.kpis) value = delta.kpis[key] ?? null;
    }
    return value;
  }
}

describe('collector → aggregator → chdb → Socket.IO', () => {
  let kpiwall: TestKpiwall;
  let client: WallClient;
  const runId = `run${Date.now().toString(36)}`;

  beforeAll(async () => {
    kpiwall = await startTestKpiwall({ env: { KPIWALL_MAX_BODY_BYTES: '65536' } });
    client = new WallClient(kpiwall.url);
    await vi.waitFor(() => {
      expect(client.snapshots).toHaveLength(1);
    });
  });

  afterAll(async () => {
    client.socket.close();
    await kpiwall.dispose();
  });

  it('sends a full snapshot on connect', () => {
    const snapshot = client.snapshots[0];
    expect(snapshot?.kpis.dau).toBe(0);
    expect(snapshot?.kpis.tickets_waiting_first_reply).toBe(0);
    expect(snapshot?.active_users_per_minute).toHaveLength(120);
  });

  it('answers a mixed batch with per-event reasons and counts the valid events', async () => {
    const batch = makeBatch(runId, Date.now());
    const answer = await postEvents(kpiwall.url, batch);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      accepted: 3,
      rejected: [
        { index: 2, reason: 'missing_field:ticket_id' },
        { index: 3, reason: 'invalid_json' },
        { index: 5, reason: 'wrong_type:score' },
      ],
    });

    // The collector answers once the events are in ClickHouse.
    const stored = await kpiwall.store.query<{ id: string; properties: string }>(
      'SELECT id, properties FROM events ORDER BY id',
    );
    expect(stored.map((row) => row.id)).toEqual(
      [`${runId}-ticket-1`, `${runId}-view-1`, `${runId}-view-2`].sort(),
    );
    const feature = stored.find((row) => row.id === `${runId}-view-2`);
    expect(JSON.parse(feature?.properties ?? '{}')).toEqual({ extra_field: { kept: true } });

    const deadLetters = await kpiwall.store.query<{
      reason: string;
      batch_index: number;
      text: string;
    }>('SELECT reason, batch_index, text FROM dead_letters ORDER BY batch_index');
    expect(deadLetters.map(({ reason, batch_index }) => ({ reason, batch_index }))).toEqual([
      { reason: 'missing_field:ticket_id', batch_index: 2 },
      { reason: 'invalid_json', batch_index: 3 },
      { reason: 'wrong_type:score', batch_index: 5 },
    ]);
    expect(deadLetters[1]?.text).toBe('this is not json');
  });

  it('pushes a delta reflecting the events, numbered after the snapshot', async () => {
    await vi.waitFor(() => {
      expect(client.latest('dau')).toBe(2);
      expect(client.latest('tickets_waiting_first_reply')).toBe(1);
      expect(client.latest('backlog_open')).toBe(1);
    });
    const snapshotSeq = client.snapshots[0]?.seq ?? -1;
    expect(client.deltas.map((delta) => delta.seq)).toEqual(
      client.deltas.map((_, i) => snapshotSeq + 1 + i),
    );
    const latestMinute = client.snapshots[0]?.active_users_per_minute.at(-1)?.minute ?? 0;
    const changedMinutes = client.deltas.flatMap((delta) => delta.active_users_per_minute);
    expect(
      changedMinutes.some((point) => point.minute >= latestMinute && point.active_users > 0),
    ).toBe(true);
  });

  it('counts the same batch posted twice once', async () => {
    const before = kpiApiResponseSchema.parse(
      await (await fetch(`${kpiwall.url}/api/kpis`)).json(),
    );
    const again = await postEvents(kpiwall.url, makeBatch(runId, Date.now()));
    expect(again.status).toBe(200);
    const [{ rows, ids }] = (await kpiwall.store.query<{ rows: number; ids: number }>(
      'SELECT count() AS rows, uniqExact(id) AS ids FROM events',
    )) as [{ rows: number; ids: number }];
    expect({ rows, ids }).toEqual({ rows: 3, ids: 3 });
    const after = kpiApiResponseSchema.parse(await (await fetch(`${kpiwall.url}/api/kpis`)).json());
    expect(after.kpis.dau).toBe(before.kpis.dau);
    expect(after.kpis.tickets_waiting_first_reply).toBe(before.kpis.tickets_waiting_first_reply);
    const metrics = await (await fetch(`${kpiwall.url}/metrics`)).text();
    expect(metrics).toMatch(/kpiwall_aggregator_messages_total\{result="duplicate"\} 3/);
  });

  it('answers 413 to a body over the limit and serves /healthz', async () => {
    const response = await fetch(`${kpiwall.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: 'x'.repeat(70_000),
    });
    expect(response.status).toBe(413);
    const health = await fetch(`${kpiwall.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', clickhouse: true });
  });

  it('rebuilds the same numbers from ClickHouse after a restart', async () => {
    const asOf = Date.now();
    const before = kpiwall.aggregator.state.kpis(asOf);
    await kpiwall.close();
    const restarted = await startTestKpiwall({ dataDir: kpiwall.dataDir });
    kpiwall = restarted;
    expect(restarted.aggregator.state.kpis(asOf)).toEqual(before);
    // Ids known again: a third copy of the batch is still a duplicate.
    await postEvents(restarted.url, makeBatch(runId, Date.now()));
    const [count] = await restarted.store.query<{ rows: number }>(
      'SELECT count() AS rows FROM events',
    );
    expect(count?.rows).toBe(3);
  });
});
