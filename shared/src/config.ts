import { z } from 'zod';
import { timeZoneSchema } from './time-zone.ts';

/**
 * Runtime configuration from environment variables (a `.env` file in the working directory is
 * loaded first; real environment variables win). Every variable has a default except the
 * optional server URLs. A bad value stops start-up with a message naming the variable.
 */

const integerVar = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.int().min(min).max(max))
    .default(fallback);

export const configSchema = z.object({
  KPIWALL_HOST: z.string().min(1).default('0.0.0.0'),
  KPIWALL_PORT: integerVar(1, 65_535, 8080),
  KPIWALL_TIME_ZONE: timeZoneSchema.default('UTC'),
  KPIWALL_DATA_DIR: z.string().min(1).default('.data/chdb'),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, 'expected host:port[,host:port…]')
    .transform((list) => list.split(','))
    .optional(),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a plain identifier')
    .default('kpiwall'),
  KPIWALL_MAX_BODY_BYTES: integerVar(1024, 1024 ** 3, 16 * 1024 * 1024),
  KPIWALL_QUEUE_CAPACITY: integerVar(1, 10_000_000, 200_000),
  KPIWALL_WRITER_BATCH_ROWS: integerVar(1, 1_000_000, 10_000),
  KPIWALL_WRITER_FLUSH_MS: integerVar(1, 60_000, 200),
  KPIWALL_DELTA_INTERVAL_MS: integerVar(50, 60_000, 250),
  KPIWALL_SQL_HOST: z.string().min(1).default('127.0.0.1'),
  KPIWALL_SQL_PORT: integerVar(1, 65_535, 8123),
  KPIWALL_SQL_MAX_EXECUTION_SECONDS: integerVar(1, 86_400, 60),
  KPIWALL_SQL_MAX_RESULT_ROWS: integerVar(1, 1_000_000_000, 1_000_000),
  KPIWALL_SQL_MAX_MEMORY_BYTES: integerVar(1_048_576, 1024 ** 4, 4 * 1024 ** 3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type KpiwallConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; throws a ConfigError whose message names every bad variable. */
export const parseConfig = (env: Record<string, string | undefined>): KpiwallConfig => {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = configSchema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '?');
    return `${key}=${JSON.stringify(env[key])}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
};
