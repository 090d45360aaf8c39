/**
 * Versioned schema migrations of the tables, applied in order on start and recorded in
 * `schema_migrations`. Never edit an applied migration: add a new one. Views hold no data and
 * are re-created on every start instead (./views/index.ts). Documented in docs/CLICKHOUSE.md.
 */
export type Migration = { version: number; name: string; statements: readonly string[] };

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'raw events and dead letters',
    statements: [
      `CREATE TABLE IF NOT EXISTS events
      (
          id String COMMENT 'idempotency key: the first event received with an id is the one kept',
          type LowCardinality(String) COMMENT 'event type of the contract, e.g. ticket.replied',
          time DateTime64(3, 'UTC') COMMENT 'event time (what KPIs follow)',
          account_id String,
          user_id Nullable(String),
          received_at DateTime64(3, 'UTC') COMMENT 'arrival time at the collector',
          plan LowCardinality(Nullable(String)),
          session_id Nullable(String),
          path Nullable(String),
          feature LowCardinality(Nullable(String)),
          step LowCardinality(Nullable(String)),
          cta LowCardinality(Nullable(String)),
          mrr_cents Nullable(UInt64),
          from_plan LowCardinality(Nullable(String)),
          to_plan LowCardinality(Nullable(String)),
          mrr_cents_before Nullable(UInt64),
          mrr_cents_after Nullable(UInt64),
          mrr_cents_lost Nullable(UInt64),
          reason Nullable(String),
          ticket_id Nullable(String),
          priority LowCardinality(Nullable(String)),
          channel LowCardinality(Nullable(String)),
          team LowCardinality(Nullable(String)),
          author LowCardinality(Nullable(String)),
          public Nullable(Bool),
          agent_id Nullable(String),
          kind LowCardinality(Nullable(String)),
          score Nullable(Int16),
          properties String COMMENT 'JSON object of the sender''s fields outside the contract'
      )
      ENGINE = MergeTree
      PARTITION BY toYYYYMM(time)
      ORDER BY (type, account_id, time)
      COMMENT 'Every accepted event, deduplicated by id, one row each'`,
      `CREATE TABLE IF NOT EXISTS dead_letters
      (
          received_at DateTime64(3, 'UTC'),
          reason LowCardinality(String) COMMENT 'machine-readable code, e.g. missing_field:user_id',
          batch_index UInt32 COMMENT 'position of the item in its batch (array index or NDJSON line)',
          source LowCardinality(String) COMMENT 'who rejected it, e.g. collector',
          text String COMMENT 'the rejected input, verbatim'
      )
      ENGINE = MergeTree
      ORDER BY received_at
      COMMENT 'Rejected inputs with the reason; nothing is dropped silently'`,
    ],
  },
  {
    version: 2,
    name: 'per-minute KPI snapshots and health signal transitions',
    statements: [
      `CREATE TABLE IF NOT EXISTS kpi_snapshots
      (
          minute DateTime('UTC') COMMENT 'the minute the snapshot was taken (its as_of, truncated)',
          as_of DateTime64(3, 'UTC'),
          tz LowCardinality(String) COMMENT 'time zone of the calendar windows',
          key LowCardinality(String) COMMENT 'KPIS.md key; a record entry as key.entry, e.g. backlog_open_by_priority.urgent',
          value Nullable(Float64) COMMENT 'the value the wall and /api/kpis showed; NULL where the KPI was null'
      )
      ENGINE = MergeTree
      PARTITION BY toYYYYMM(minute)
      ORDER BY (key, minute)
      COMMENT 'Every numeric KPI once a minute, as the live aggregator computed it'`,
      `CREATE TABLE IF NOT EXISTS health_signal_firings
      (
          at DateTime64(3, 'UTC') COMMENT 'as_of of the evaluation that saw the change',
          account_id String,
          signal LowCardinality(String) COMMENT 'signal name of KPIS.md, e.g. dormant_14d',
          state Enum8('fired' = 1, 'cleared' = 2) COMMENT 'fired: the signal started firing; cleared: it stopped',
          weight Float64 COMMENT 'points it takes off the health score while firing'
      )
      ENGINE = MergeTree
      ORDER BY (account_id, signal, at)
      COMMENT 'When each health signal started and stopped firing, per account (evaluated every minute)'`,
    ],
  },
];
