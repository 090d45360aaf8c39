// Unit tests for the runtime configuration: a bad value stops start-up with a ConfigError whose
// message names the variable; DESIGN.md "Runtime modes" for the server variables.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type KpiwallConfig } from './config.ts';

const numericVars = [
  'KPIWALL_PORT',
  'KPIWALL_MAX_BODY_BYTES',
  'KPIWALL_QUEUE_CAPACITY',
  'KPIWALL_WRITER_BATCH_ROWS',
  'KPIWALL_WRITER_FLUSH_MS',
  'KPIWALL_DELTA_INTERVAL_MS',
] as const satisfies readonly (keyof KpiwallConfig)[];

/** The error parseConfig throws for `env`, failing the test if it does not throw one. */
const configErrorOf = (env: Record<string, string | undefined>): ConfigError => {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
};

describe('defaults', () => {
  it('an empty environment gives a complete configuration', () => {
    const config = parseConfig({});
    for (const name of numericVars) {
      expect(Number.isSafeInteger(config[name]), name).toBe(true);
      expect(config[name], name).toBeGreaterThan(0);
    }
    expect(config.KPIWALL_HOST.length).toBeGreaterThan(0);
    expect(config.KPIWALL_DATA_DIR.length).toBeGreaterThan(0);
    expect(
      () => new Intl.DateTimeFormat('en-US', { timeZone: config.KPIWALL_TIME_ZONE }),
    ).not.toThrow();
  });

  it('embedded mode is the default: no ClickHouse server URL', () => {
    expect(parseConfig({}).CLICKHOUSE_URL).toBeUndefined();
  });

  it('every default is itself a valid value that parses to the same configuration', () => {
    const defaults = parseConfig({});
    const env = Object.fromEntries(
      Object.entries(defaults).map(([key, value]) => [key, String(value)]),
    );
    expect(parseConfig(env)).toEqual(defaults);
  });

  it('unset (undefined) variables fall back to the defaults', () => {
    const env = Object.fromEntries(numericVars.map((name) => [name, undefined]));
    expect(parseConfig(env)).toEqual(parseConfig({}));
  });

  it('unrelated environment variables are ignored', () => {
    expect(parseConfig({ PATH: '/usr/bin', HOME: '/root' })).toEqual(parseConfig({}));
  });
});

describe('numeric variables', () => {
  const validValues: Record<(typeof numericVars)[number], { text: string; value: number }> = {
    KPIWALL_PORT: { text: '3000', value: 3000 },
    KPIWALL_MAX_BODY_BYTES: { text: '1048576', value: 1_048_576 },
    KPIWALL_QUEUE_CAPACITY: { text: '5000', value: 5000 },
    KPIWALL_WRITER_BATCH_ROWS: { text: '500', value: 500 },
    KPIWALL_WRITER_FLUSH_MS: { text: '100', value: 100 },
    KPIWALL_DELTA_INTERVAL_MS: { text: '1000', value: 1000 },
  };

  it.each(numericVars)('%s is parsed to a number', (name) => {
    const { text, value } = validValues[name];
    const config = parseConfig({ [name]: text });
    expect(config[name]).toBe(value);
    expect(typeof config[name]).toBe('number');
  });

  it('all numeric variables together', () => {
    const env = Object.fromEntries(numericVars.map((name) => [name, validValues[name].text]));
    const config = parseConfig(env);
    expect(Object.fromEntries(numericVars.map((name) => [name, config[name]]))).toEqual(
      Object.fromEntries(numericVars.map((name) => [name, validValues[name].value])),
    );
  });

  it.each([
    { name: 'KPIWALL_PORT', text: '1', value: 1 },
    { name: 'KPIWALL_PORT', text: '65535', value: 65_535 },
  ] as const)('$name = $text is within range', ({ name, text, value }) => {
    expect(parseConfig({ [name]: text })[name]).toBe(value);
  });

  const notNumbers = ['abc', '12abc', 'ten', '1.5', '0x10', 'NaN', 'Infinity', '--1', '8 080'];
  it.each(numericVars.flatMap((name) => notNumbers.map((text) => ({ name, text }))))(
    '$name = "$text" (not a whole number) is rejected naming $name',
    ({ name, text }) => {
      const error = configErrorOf({ [name]: text });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(name);
    },
  );

  const outOfRange = ['0', '-1', '-8080', '99999999999', '1e309'];
  it.each(numericVars.flatMap((name) => outOfRange.map((text) => ({ name, text }))))(
    '$name = "$text" (out of range) is rejected naming $name',
    ({ name, text }) => {
      expect(configErrorOf({ [name]: text }).message).toContain(name);
    },
  );

  it.each(['65536', '70000'])('KPIWALL_PORT = %s (above the port range) is rejected', (text) => {
    expect(configErrorOf({ KPIWALL_PORT: text }).message).toContain('KPIWALL_PORT');
  });

  it('names only the bad variable', () => {
    const message = configErrorOf({
      KPIWALL_PORT: 'eighty',
      KPIWALL_DELTA_INTERVAL_MS: '1000',
    }).message;
    expect(message).toContain('KPIWALL_PORT');
    expect(message).not.toContain('KPIWALL_DELTA_INTERVAL_MS');
  });

  it('names every bad variable when several are bad', () => {
    const message = configErrorOf({
      KPIWALL_PORT: 'eighty',
      KPIWALL_QUEUE_CAPACITY: '-3',
      KPIWALL_TIME_ZONE: 'Mars/Olympus_Mons',
      CLICKHOUSE_URL: 'not a url',
    }).message;
    for (const name of [
      'KPIWALL_PORT',
      'KPIWALL_QUEUE_CAPACITY',
      'KPIWALL_TIME_ZONE',
      'CLICKHOUSE_URL',
    ]) {
      expect(message).toContain(name);
    }
  });
});

describe('KPIWALL_TIME_ZONE', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'])(
    '%s is accepted',
    (zone) => {
      expect(parseConfig({ KPIWALL_TIME_ZONE: zone }).KPIWALL_TIME_ZONE).toBe(zone);
    },
  );

  it.each(['Mars/Olympus_Mons', 'Europe/Nowhere', 'not a zone', '+25:00'])(
    '%s is rejected naming KPIWALL_TIME_ZONE',
    (zone) => {
      const error = configErrorOf({ KPIWALL_TIME_ZONE: zone });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('KPIWALL_TIME_ZONE');
    },
  );
});

describe('server mode variables (DESIGN.md "Runtime modes")', () => {
  it.each(['http://localhost:8123', 'https://clickhouse.example.com:8443/'])(
    'CLICKHOUSE_URL %s is accepted',
    (url) => {
      expect(parseConfig({ CLICKHOUSE_URL: url }).CLICKHOUSE_URL).toBe(url);
    },
  );

  it.each(['not a url', 'clickhouse', '//localhost:8123', 'http//localhost'])(
    'CLICKHOUSE_URL %j is rejected naming CLICKHOUSE_URL',
    (url) => {
      const error = configErrorOf({ CLICKHOUSE_URL: url });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('CLICKHOUSE_URL');
    },
  );

  it('KAFKA_BROKERS (with CLICKHOUSE_URL, the server mode) reaches the configuration', () => {
    const config = parseConfig({
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
      CLICKHOUSE_URL: 'http://localhost:8123',
    });
    expect(JSON.stringify(config)).toContain('kafka-1:9092');
    expect(JSON.stringify(config)).toContain('kafka-2:9092');
  });
});

describe('other variables', () => {
  it.each([
    { name: 'LOG_LEVEL', text: 'verbose' },
    { name: 'LOG_LEVEL', text: 'INFO' },
    { name: 'CLICKHOUSE_DATABASE', text: 'kpi wall; DROP TABLE events' },
  ])('$name = "$text" is rejected naming $name', ({ name, text }) => {
    expect(configErrorOf({ [name]: text }).message).toContain(name);
  });

  it.each([
    { name: 'KPIWALL_HOST', text: '127.0.0.1' },
    { name: 'KPIWALL_DATA_DIR', text: '/var/lib/kpiwall' },
    { name: 'CLICKHOUSE_USER', text: 'kpiwall' },
    { name: 'CLICKHOUSE_PASSWORD', text: 's3cret' },
    { name: 'CLICKHOUSE_DATABASE', text: 'kpiwall_test' },
    { name: 'LOG_LEVEL', text: 'debug' },
  ] as const)('$name = "$text" is kept', ({ name, text }) => {
    expect(parseConfig({ [name]: text })[name]).toBe(text);
  });
});
