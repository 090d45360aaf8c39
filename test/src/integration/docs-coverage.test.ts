import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { viewStatements } from '@kpiwall/aggregator';
import { allKpisSchema } from '@kpiwall/shared';
import { documentedQueries } from '../support/documented-queries.ts';

// docs/CLICKHOUSE.md and its area pages must cover every KPI of /api/kpis once, and name every
// view the aggregator creates. (The area tests run each query against the live endpoint.)

const areaPages = ['product-usage', 'onboarding', 'revenue', 'support', 'health'].map(
  (area) => `docs/clickhouse/${area}.md`,
);

describe('docs/CLICKHOUSE.md', () => {
  it('has exactly one example query per KPI key of /api/kpis', async () => {
    const keys = (await Promise.all(areaPages.map(documentedQueries))).flat().map((q) => q.key);
    expect([...keys].sort()).toEqual(Object.keys(allKpisSchema.shape).sort());
  });

  it('lists every view and table', async () => {
    const index = await readFile('docs/CLICKHOUSE.md', 'utf8');
    const views = viewStatements.map((sql) => /CREATE OR REPLACE VIEW ([a-z_]+)/.exec(sql)?.[1]);
    const tables = [
      'events',
      'dead_letters',
      'kpi_snapshots',
      'health_signal_firings',
      'schema_migrations',
    ];
    for (const name of [...views, ...tables]) expect(index).toContain(`\`${name ?? '?'}\``);
  });
});
