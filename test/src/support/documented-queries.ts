import { readFile } from 'node:fs/promises';
import { createClient } from '@clickhouse/client';

/** One example query of docs/clickhouse/*.md: a fenced block opened with ```sql kpi=<key>. */
export type DocumentedQuery = { key: string; sql: string };

export const documentedQueries = async (markdownPath: string): Promise<DocumentedQuery[]> => {
  const text = await readFile(markdownPath, 'utf8');
  return [...text.matchAll(/```sql kpi=([a-z0-9_]+)\n([\s\S]*?)```/g)].map((match) => ({
    key: match[1] ?? '',
    sql: (match[2] ?? '').trim(),
  }));
};

/**
 * Runs a documented query through a ClickHouse HTTP endpoint (the read-only interface in
 * tests) with `{as_of:DateTime64(3, 'UTC')}` and `{tz:String}` bound, and returns the value
 * of its single row's single column, as JSON.
 */
export const runDocumentedQuery = async (
  url: string,
  query: DocumentedQuery,
  params: { as_of: string; tz: string },
): Promise<unknown> => {
  const client = createClient({ url, database: 'kpiwall' });
  try {
    const result = await client.query({
      query: query.sql,
      query_params: params,
      format: 'JSONEachRow',
    });
    const rows = await result.json<Record<string, unknown>>();
    if (rows.length !== 1) throw new Error(`${query.key}: expected one row, got ${rows.length}`);
    const columns = Object.values(rows[0] ?? {});
    if (columns.length !== 1)
      throw new Error(`${query.key}: expected one column, got ${columns.length}`);
    return columns[0];
  } finally {
    await client.close();
  }
};
