import { ClickHouseError, createClient } from '@clickhouse/client';
import { Command } from 'commander';
import { z } from 'zod';
import { loadConfigOrExit } from './load-config.ts';

const resultSchema = z.object({
  meta: z.array(z.object({ name: z.string(), type: z.string() })),
  data: z.array(z.array(z.unknown())),
  rows: z.int(),
});

const cellText = (value: unknown): string =>
  value === null ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value);

/** Columns padded to their widest cell; numbers right-aligned. */
const renderTable = (result: z.infer<typeof resultSchema>): string => {
  const header = result.meta.map((column) => column.name);
  const body = result.data.map((row) => row.map(cellText));
  const numeric = result.meta.map((column) => /Int|Float|Decimal/.test(column.type));
  const widths = header.map((name, i) =>
    Math.max(name.length, ...body.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((width) => '─'.repeat(width)).join('  '),
    ...body.map(line),
  ].join('\n');
};

const config = loadConfigOrExit();
const program = new Command('kpiwall-sql')
  .description(
    'Runs one SQL statement against the live ClickHouse data and prints the result as a table: ' +
      "the aggregator's read-only HTTP interface in embedded mode (KPIWALL_SQL_HOST/PORT), " +
      'CLICKHOUSE_URL with a ClickHouse server. Writes and DDL are refused by ClickHouse.',
  )
  .argument('<sql>', 'the statement, e.g. "SELECT type, count() FROM events GROUP BY type"')
  .option(
    '--url <url>',
    'ClickHouse HTTP endpoint',
    config.CLICKHOUSE_URL ?? `http://${config.KPIWALL_SQL_HOST}:${config.KPIWALL_SQL_PORT}`,
  )
  .option('--param <name=value...>', 'query parameters for {name:Type} placeholders')
  .parse();

const [sql] = program.processedArgs as [string];
const options = program.opts<{ url: string; param?: string[] }>();
const params = Object.fromEntries(
  (options.param ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) program.error(`error: --param expects name=value, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

const client = createClient({
  url: options.url,
  username: config.CLICKHOUSE_USER,
  password: config.CLICKHOUSE_PASSWORD,
  database: config.CLICKHOUSE_DATABASE,
});
try {
  const result = await client.query({ query: sql, query_params: params, format: 'JSONCompact' });
  const parsed = resultSchema.parse(await result.json());
  process.stdout.write(`${renderTable(parsed)}\n(${parsed.rows} rows)\n`);
} catch (error) {
  const message =
    error instanceof ClickHouseError
      ? `ClickHouse error ${error.code} (${error.type ?? 'unknown'}): ${error.message}`
      : `cannot query ${options.url}: ${String(error)} — is kpiwall running (npm start)?`;
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
} finally {
  await client.close();
}
