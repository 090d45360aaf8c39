import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { startEmbedded } from './embedded.ts';
import { loadConfigOrExit } from './load-config.ts';

const simulatorCli = fileURLToPath(new URL('../../ingest/src/simulator/cli.ts', import.meta.url));

const positiveNumber = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new InvalidArgumentError('expected a number ≥ 0');
  return parsed;
};

const program = new Command('kpiwall-start')
  .description(
    'Runs kpiwall embedded in one process — collector, in-process queue, aggregator, chdb and the wall — ' +
      'plus the traffic simulator, and prints the wall URL. Configuration: environment / .env (README.md).',
  )
  .option('--no-simulator', 'do not start the simulator (send your own events to POST /v1/events)')
  .option('--rate <events/s>', 'simulator: live events per second', positiveNumber, 40)
  .option('--backfill <days>', 'simulator: days of history sent first', positiveNumber, 2)
  .option(
    '--speed <x>',
    'simulator: how much faster the simulated world behaves',
    positiveNumber,
    60,
  )
  .option('--seed <n>', 'simulator: random seed', positiveNumber, 42)
  .parse();

const options = program.opts<{
  simulator: boolean;
  rate: number;
  backfill: number;
  speed: number;
  seed: number;
}>();
const config = loadConfigOrExit();
if (config.KAFKA_BROKERS) {
  process.stderr.write(
    'kpiwall: KAFKA_BROKERS is set, but this build runs embedded only (Kafka mode is a later issue). Unset KAFKA_BROKERS.\n',
  );
  process.exit(2);
}

const kpiwall = await startEmbedded({ config });
const publicBase = kpiwall.url.replace('127.0.0.1', 'localhost');
process.stdout.write(
  [
    '',
    'kpiwall is running',
    `  support wall   ${publicBase}/wall/support`,
    `  product wall   ${publicBase}/wall/product`,
    `  collector      POST ${publicBase}/v1/events`,
    `  KPIs (JSON)    ${publicBase}/api/kpis`,
    `  health         ${publicBase}/healthz   metrics ${publicBase}/metrics`,
    config.CLICKHOUSE_URL
      ? `  ClickHouse     server ${new URL(config.CLICKHOUSE_URL).host}, database ${config.CLICKHOUSE_DATABASE}`
      : `  ClickHouse     embedded (chdb) in ${config.KPIWALL_DATA_DIR}, database ${config.CLICKHOUSE_DATABASE}`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n') + '\n',
);

let simulator: ChildProcess | null = null;
if (options.simulator) {
  simulator = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      simulatorCli,
      `--target=${kpiwall.url}/v1/events`,
      `--rate=${options.rate}`,
      `--backfill=${options.backfill}`,
      `--speed=${options.speed}`,
      `--seed=${options.seed}`,
    ],
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
  if (simulator.stderr) {
    createInterface({ input: simulator.stderr }).on('line', (line) => {
      process.stderr.write(`[simulator] ${line}\n`);
    });
  }
}

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n${signal}: stopping (writing what is buffered to ClickHouse)…\n`);
  simulator?.kill('SIGTERM');
  await kpiwall.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
