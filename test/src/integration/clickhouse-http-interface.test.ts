import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ClickHouseError,
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
} from '@clickhouse/client';
import {
  ClickHouseStore,
  eventToRow,
  migrations,
  startClickHouseHttpInterface,
  type ClickHouseHttpInterface,
} from '@kpiwall/aggregator';
import { kpiApiResponseSchema, validateEvent, type KpiEvent } from '@kpiwall/shared';
import { freePort, postEvents, startTestKpiwall } from '../support/harness.ts';

// ClickHouse's HTTP interface over chdb with the real @clickhouse/client and fetch on loopback.
// One chdb data directory for the whole file (one per process): each part uses its own
// database, and the read-only interface shares the directory with writable connections.

const iso = (ms: number): string => new Date(ms).toISOString();

// The client logs every failed request; here failures are what several tests expect.
const quiet = { log: { level: ClickHouseLogLevel.OFF } };

const validEvents = (inputs: readonly Record<string, unknown>[], nowMs: number): KpiEvent[] =>
  inputs.map((input, index) => {
    const result = validateEvent(input, nowMs, nowMs + index);
    if (!result.ok) throw new Error(`test event ${String(input['id'])}: ${result.reason}`);
    return result.event;
  });

/** The ClickHouseError a call fails with, as code and type. */
const refusal = async (call: Promise<unknown>): Promise<{ code: string; type: string }> => {
  const error: unknown = await call.then(
    () => new Error('expected ClickHouse to refuse the query'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof ClickHouseError)) throw error;
  return { code: error.code, type: error.type ?? '' };
};

describe('ClickHouse HTTP interface over chdb', () => {
  let dataDir: string;
  let writable: ClickHouseHttpInterface;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kpiwall-chhttp-'));
    writable = await startClickHouseHttpInterface({
      dataDir,
      readOnly: false,
      port: await freePort(),
    });
  });

  afterAll(async () => {
    await writable.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('writable, as the ClickHouse server of ClickHouseStore', () => {
    const now = Date.now();
    const events = validEvents(
      [
        {
          id: 'view-1',
          type: 'page.viewed',
          time: iso(now - 3_000),
          account_id: 'acme',
          user_id: 'ada',
          session_id: 's1',
          path: '/home',
        },
        {
          id: 'ticket-1',
          type: 'ticket.created',
          time: iso(now - 2_000),
          account_id: 'acme',
          ticket_id: 'T1',
          priority: 'high',
          channel: 'email',
          note: "it's a \\ back\tslash\nand ünïcode",
        },
        {
          id: 'survey-1',
          type: 'survey.answered',
          time: iso(now - 1_000),
          account_id: 'globex',
          kind: 'csat',
          score: 5,
        },
      ],
      now,
    );
    let store: ClickHouseStore;

    beforeAll(async () => {
      store = await ClickHouseStore.open(
        { kind: 'server', url: writable.url, user: 'default', password: '' },
        'kpiwall',
      );
    });

    afterAll(async () => {
      await store.close();
    });

    it('migrates, inserts and reads back through the real HTTP client', async () => {
      expect(await store.ping()).toBe(true);
      // A fresh database gets every migration once, and a second run applies nothing.
      expect(await store.migrate()).toEqual(migrations.map((migration) => migration.version));
      expect(await store.migrate()).toEqual([]);

      await store.insert('events', events.map(eventToRow));

      const acme = await store.query<{ id: string }>(
        'SELECT id FROM events WHERE account_id = {account:String} AND type IN {types:Array(String)} ORDER BY id',
        { account: 'acme', types: ['page.viewed', "ticket.'created"] },
      );
      expect(acme.map((row) => row.id)).toEqual(['view-1']);

      const pages: KpiEvent[][] = [];
      for await (const page of store.storedEvents()) pages.push(page);
      expect(pages.flat()).toEqual(events);
    });

    it('binds {name:Type} parameters with ClickHouse parsing of the text', async () => {
      const text = "it's a \\ back\tslash\nand ünïcode";
      const [row] = await store.query<{ s: string; n: number; a: string[]; missing: null }>(
        'SELECT {s:String} AS s, {n:UInt64} + 1 AS n, {a:Array(String)} AS a, {m:Nullable(String)} AS missing',
        { s: text, n: 41, a: ["o'k", 'x\\y'], m: null },
      );
      expect(row).toEqual({ s: text, n: 42, a: ["o'k", 'x\\y'], missing: null });

      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.query<{ v: number }>('SELECT {v:UInt32} * 2 AS v', { v: i }),
        ),
      );
      expect(answers.map(([answer]) => answer?.v)).toEqual(
        Array.from({ length: 20 }, (_, i) => i * 2),
      );
    });

    it("keeps a request's settings, SET and USE to that request", async () => {
      const client = createClient({ url: writable.url, ...quiet });
      try {
        await expect(
          client.query({
            query: 'SELECT number FROM numbers(10)',
            clickhouse_settings: { max_result_rows: '1', result_overflow_mode: 'throw' },
          }),
        ).rejects.toMatchObject({ code: '396', type: 'TOO_MANY_ROWS_OR_BYTES' });
        await client.command({ query: 'SET max_result_rows = 1' });
        const rows = await (
          await client.query({
            query: "SELECT getSetting('max_result_rows') AS max, currentDatabase() AS db",
            format: 'JSONEachRow',
          })
        ).json<{ max: number; db: string }>();
        expect(rows).toEqual([{ max: 0, db: 'default' }]);
      } finally {
        await client.close();
      }
    });

    it('takes gzip-compressed inserts', async () => {
      const client = createClient({
        url: writable.url,
        database: 'kpiwall',
        compression: { request: true },
      });
      try {
        await client.command({
          query: 'CREATE TABLE compressed (n UInt32) ENGINE = MergeTree ORDER BY n',
        });
        await client.insert({
          table: 'compressed',
          values: Array.from({ length: 1000 }, (_, n) => ({ n })),
          format: 'JSONEachRow',
        });
        const [count] = await (
          await client.query({
            query: 'SELECT count() AS c FROM compressed',
            format: 'JSONEachRow',
          })
        ).json<{ c: number }>();
        expect(count?.c).toBe(1000);
      } finally {
        await client.close();
      }
    });

    it('answers curl-style requests like a ClickHouse server', async () => {
      expect(await (await fetch(`${writable.url}/ping`)).text()).toBe('Ok.\n');
      expect(await (await fetch(`${writable.url}/`)).text()).toBe('Ok.\n');

      const select = await fetch(`${writable.url}/?query=${encodeURIComponent('SELECT 1, 2')}`);
      expect(select.status).toBe(200);
      expect(select.headers.get('x-clickhouse-format')).toBe('TabSeparated');
      expect(await select.text()).toBe('1\t2\n');

      // GET runs with readonly = 2, as on a server; POST may write.
      const create = 'CREATE TABLE curl_made (a String) ENGINE = Memory';
      const viaGet = await fetch(`${writable.url}/?query=${encodeURIComponent(create)}`);
      expect(viaGet.status).toBe(500);
      expect(viaGet.headers.get('x-clickhouse-exception-code')).toBe('164');
      const viaPost = await fetch(`${writable.url}/`, { method: 'POST', body: create });
      expect(viaPost.status).toBe(200);

      const missing = await fetch(`${writable.url}/`, {
        method: 'POST',
        body: 'SELECT * FROM no_such_table',
      });
      expect(missing.status).toBe(404);
      expect(missing.headers.get('x-clickhouse-exception-code')).toBe('60');
      expect(await missing.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\)\n$/s);

      const several = await fetch(`${writable.url}/`, {
        method: 'POST',
        body: 'SELECT 1; DROP TABLE curl_made',
      });
      expect(several.status).toBe(400);
      expect(await several.text()).toMatch(/Multi-statements are not allowed.*\(SYNTAX_ERROR\)/s);

      const outfile = join(dataDir, 'outfile.tsv');
      const into = await fetch(`${writable.url}/`, {
        method: 'POST',
        body: `SELECT 1 INTO OUTFILE '${outfile}'`,
      });
      expect(into.headers.get('x-clickhouse-exception-code')).toBe('358');
      expect(existsSync(outfile)).toBe(false);
    });

    it('bounds the request body, decompressed, and keeps serving', async () => {
      const small = await startClickHouseHttpInterface({
        dataDir,
        readOnly: false,
        maxBodyBytes: 1024,
        port: await freePort(),
      });
      try {
        const declared = await fetch(`${small.url}/`, {
          method: 'POST',
          body: `SELECT '${'x'.repeat(2_000)}'`,
        });
        expect(declared.status).toBe(413);
        expect(declared.headers.get('x-clickhouse-exception-code')).toBe('229');

        const inflated = await fetch(`${small.url}/`, {
          method: 'POST',
          headers: { 'content-encoding': 'gzip' },
          body: gzipSync(`SELECT '${'x'.repeat(100_000)}'`),
        });
        expect(inflated.status).toBe(413);
        expect(await inflated.text()).toMatch(/\(QUERY_IS_TOO_LARGE\)\n$/);

        const after = await fetch(`${small.url}/`, { method: 'POST', body: 'SELECT 1' });
        expect(await after.text()).toBe('1\n');
      } finally {
        await small.close();
      }
    });

    it('runs the embedded pipeline in server mode against it', async () => {
      const kpiwall = await startTestKpiwall({
        env: { CLICKHOUSE_URL: writable.url, CLICKHOUSE_DATABASE: 'kpiwall_pipeline' },
      });
      const direct = await ClickHouseStore.open({ kind: 'embedded', dataDir }, 'kpiwall_pipeline');
      try {
        const sentAt = Date.now();
        const answer = await postEvents(kpiwall.url, [
          {
            id: 'p-view-1',
            type: 'page.viewed',
            time: iso(sentAt - 1_000),
            account_id: 'acme',
            user_id: 'ada',
            session_id: 's1',
            path: '/home',
          },
          {
            id: 'p-feature-1',
            type: 'feature.used',
            time: iso(sentAt - 500),
            account_id: 'acme',
            user_id: 'bob',
            feature: 'export',
          },
          {
            id: 'p-ticket-1',
            type: 'ticket.created',
            time: iso(sentAt - 60_000),
            account_id: 'acme',
            ticket_id: 'T1',
            priority: 'high',
            channel: 'email',
          },
        ]);
        expect(answer).toEqual({ status: 200, body: { accepted: 3, rejected: [] } });

        // In the interface's chdb directory, read through a connection of this process.
        const stored = await direct.query<{ id: string }>('SELECT id FROM events ORDER BY id');
        expect(stored.map((row) => row.id)).toEqual(['p-feature-1', 'p-ticket-1', 'p-view-1']);

        await vi.waitFor(async () => {
          const kpis = kpiApiResponseSchema.parse(
            await (await fetch(`${kpiwall.url}/api/kpis`)).json(),
          ).kpis;
          expect(kpis.dau).toBe(2);
          expect(kpis.tickets_waiting_first_reply).toBe(1);
        });
      } finally {
        await direct.close();
        await kpiwall.dispose();
      }
    });
  });

  describe('read-only, on the directory a writer keeps writing to', () => {
    const limits = { maxExecutionTimeSeconds: 5, maxResultRows: 1_000, maxMemoryUsageBytes: 2e9 };
    const now = Date.now();
    const eventAt = (id: string, offsetMs: number): Record<string, unknown> => ({
      id,
      type: 'page.viewed',
      time: iso(now - offsetMs),
      account_id: 'acme',
      user_id: id,
      session_id: 's',
      path: '/',
    });
    let writer: ClickHouseStore;
    let readOnly: ClickHouseHttpInterface;
    let client: ClickHouseClient;

    const count = async (): Promise<number> => {
      const [row] = await (
        await client.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' })
      ).json<{ n: number }>();
      return row?.n ?? -1;
    };

    beforeAll(async () => {
      writer = await ClickHouseStore.open({ kind: 'embedded', dataDir }, 'kpiwall_ro');
      await writer.migrate();
      await writer.insert(
        'events',
        validEvents([eventAt('ro-1', 2_000), eventAt('ro-2', 1_000)], now).map(eventToRow),
      );
      readOnly = await startClickHouseHttpInterface({
        dataDir,
        readOnly: true,
        limits,
        port: await freePort(),
      });
      client = createClient({ url: readOnly.url, database: 'kpiwall_ro', ...quiet });
    });

    afterAll(async () => {
      await client.close();
      await readOnly.close();
      await writer.close();
    });

    it('answers SELECTs through @clickhouse/client and plain fetch, with the limits set', async () => {
      expect(await count()).toBe(2);
      const settings = await (
        await client.query({
          query: `SELECT getSetting('readonly') AS readonly,
                    getSetting('max_execution_time') AS time,
                    getSetting('max_result_rows') AS rows,
                    getSetting('max_memory_usage') AS memory`,
          format: 'JSONEachRow',
        })
      ).json();
      expect(settings).toEqual([{ readonly: 1, time: 5, rows: 1_000, memory: 2e9 }]);

      const response = await fetch(`${readOnly.url}/?query=SELECT%201`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('1\n');

      expect(await refusal(client.query({ query: 'SELECT number FROM numbers(1001)' }))).toEqual({
        code: '396',
        type: 'TOO_MANY_ROWS_OR_BYTES',
      });
    });

    it('has ClickHouse refuse writes, DDL, settings changes and outside access', async () => {
      const readonlyError = { code: '164', type: 'READONLY' };
      const [row] = validEvents([eventAt('ro-3', 500)], now).map(eventToRow);
      expect(
        await refusal(client.insert({ table: 'events', values: [row], format: 'JSONEachRow' })),
      ).toEqual(readonlyError);
      expect(await refusal(client.command({ query: 'DROP TABLE events' }))).toEqual(readonlyError);
      expect(
        await refusal(
          client.command({ query: 'CREATE TABLE sneaky (a UInt8) ENGINE = MergeTree ORDER BY a' }),
        ),
      ).toEqual(readonlyError);
      expect(await refusal(client.command({ query: 'SET readonly = 0' }))).toEqual(readonlyError);
      expect(await refusal(client.query({ query: 'SELECT 1 SETTINGS readonly = 0' }))).toEqual(
        readonlyError,
      );
      expect(
        await refusal(client.query({ query: 'SELECT 1', clickhouse_settings: { readonly: '0' } })),
      ).toEqual(readonlyError);
      expect(
        await refusal(
          client.query({ query: "SELECT * FROM file('/etc/hostname', 'LineAsString')" }),
        ),
      ).toEqual(readonlyError);
      expect(
        await refusal(
          client.query({ query: "SELECT * FROM url('http://127.0.0.1:9/', 'LineAsString')" }),
        ),
      ).toEqual(readonlyError);
      expect(await refusal(client.command({ query: 'KILL QUERY WHERE 1' }))).toEqual(readonlyError);

      const outfile = join(dataDir, 'readonly-outfile.tsv');
      expect(
        await refusal(client.command({ query: `SELECT 1 INTO OUTFILE '${outfile}'` })),
      ).toEqual({ code: '358', type: 'INTO_OUTFILE_NOT_ALLOWED' });
      expect(existsSync(outfile)).toBe(false);
      expect(await refusal(client.command({ query: 'SELECT 1; DROP TABLE events' }))).toEqual({
        code: '62',
        type: 'SYNTAX_ERROR',
      });

      const plain = await fetch(`${readOnly.url}/?database=kpiwall_ro`, {
        method: 'POST',
        body: 'DROP TABLE events',
      });
      expect(plain.status).toBe(500);
      expect(plain.headers.get('x-clickhouse-exception-code')).toBe('164');
      expect(await plain.text()).toMatch(/^Code: 164\. DB::Exception: .*\(READONLY\)\n$/s);
    });

    it('leaves the writer writable, its new rows visible', async () => {
      await writer.insert('events', validEvents([eventAt('ro-4', 100)], now).map(eventToRow));
      expect(await count()).toBe(3);
      const [row] = await writer.query<{ readonly: number }>(
        "SELECT getSetting('readonly') AS readonly",
      );
      expect(row?.readonly).toBe(0);
    });
  });
});
