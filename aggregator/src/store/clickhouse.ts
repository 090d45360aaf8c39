import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { KpiEvent } from '@kpiwall/shared';
import { migrations } from './migrations.ts';
import { viewStatements } from './views/index.ts';
import { rowToEvent, type EventRow } from './event-rows.ts';

type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

/** Embedded chdb in this process (a data directory), or a ClickHouse server over HTTP. */
export type ClickHouseTarget =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'server'; url: string; user: string; password: string };

// Applied to every query in both modes, so results have one shape: 64-bit integers as JSON
// numbers (cents and counts stay far below 2^53).
const clientSettings = { output_format_json_quote_64bit_integers: 0 } as const;

const restorePageRows = 50_000;

/**
 * The one module that talks to ClickHouse. Both modes run the same SQL; they differ only in
 * how the database is selected: chdb ignores the client's `database` option but keeps `USE`
 * for the connection's lifetime, whereas over HTTP every request names the database.
 */
export class ClickHouseStore {
  readonly database: string;
  readonly #client: ClickHouseClient;

  private constructor(client: ClickHouseClient, database: string) {
    this.#client = client;
    this.database = database;
  }

  /** `database` must be a plain identifier (the config schema checks it). */
  static async open(target: ClickHouseTarget, database: string): Promise<ClickHouseStore> {
    if (target.kind === 'embedded') {
      // chdb types its Connection against @clickhouse/client-common, which @clickhouse/client
      // bundles as its own copy: the same interface at run time, two declarations for tsc.
      const connection = createChdbConnection({
        path: target.dataDir,
      }) as unknown as ClientConnection;
      const client = createClient({
        connection,
        clickhouse_settings: clientSettings,
      });
      await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
      await client.command({ query: `USE ${database}` });
      return new ClickHouseStore(client, database);
    }
    const credentials = { url: target.url, username: target.user, password: target.password };
    const bootstrap = createClient(credentials);
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    } finally {
      await bootstrap.close();
    }
    const client = createClient({ ...credentials, database, clickhouse_settings: clientSettings });
    return new ClickHouseStore(client, database);
  }

  /** Applies the migrations not applied yet, then (re)creates every view; returns the versions applied. */
  async migrate(): Promise<number[]> {
    await this.#client.command({
      query: `CREATE TABLE IF NOT EXISTS schema_migrations
        (version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
        ENGINE = MergeTree ORDER BY version
        COMMENT 'Versions of aggregator/src/store/migrations.ts applied to this database'`,
    });
    const applied = new Set(
      (await this.query<{ version: number }>('SELECT version FROM schema_migrations')).map(
        (row) => row.version,
      ),
    );
    const newlyApplied: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) {
        await this.#client.command({ query: statement });
      }
      await this.#client.insert({
        table: 'schema_migrations',
        values: [{ version: migration.version, name: migration.name }],
        format: 'JSONEachRow',
      });
      newlyApplied.push(migration.version);
    }
    for (const statement of viewStatements) await this.#client.command({ query: statement });
    return newlyApplied;
  }

  async insert(
    table: 'events' | 'dead_letters' | 'kpi_snapshots' | 'health_signal_firings',
    rows: readonly EventRow[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.#client.insert({ table, values: rows, format: 'JSONEachRow' });
  }

  /** Rows of a SELECT, with `{name:Type}` placeholders bound from `params`. */
  async query<Row>(sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    const result = await this.#client.query({
      query: sql,
      query_params: params,
      format: 'JSONEachRow',
    });
    return result.json<Row>();
  }

  /** Every stored event in arrival order, page by page (for rebuilding state on start). */
  async *storedEvents(): AsyncGenerator<KpiEvent[]> {
    let after = { received_at: '1970-01-01 00:00:00.000', id: '' };
    for (;;) {
      const rows = await this.query<Record<string, unknown>>(
        `SELECT * FROM events
         WHERE (received_at, id) > ({received_at:DateTime64(3, 'UTC')}, {id:String})
         ORDER BY received_at, id
         LIMIT {limit:UInt32}`,
        { ...after, limit: restorePageRows },
      );
      if (rows.length === 0) return;
      yield rows.map(rowToEvent);
      const last = rows.at(-1);
      if (!last || rows.length < restorePageRows) return;
      after = { received_at: String(last['received_at']), id: String(last['id']) };
    }
  }

  async ping(): Promise<boolean> {
    const result = await this.#client.ping();
    return result.success;
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}
