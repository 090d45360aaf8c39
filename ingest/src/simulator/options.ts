import { Command, InvalidArgumentError } from 'commander';

/** The simulator's command-line options, validated. */
export interface SimulatorOptions {
  readonly rate: number;
  readonly accounts: number;
  readonly seed: number;
  readonly speed: number;
  readonly backfill: number;
  readonly out: string | undefined;
  readonly target: string;
  readonly duration: number | undefined;
  readonly batch: number;
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError('Expected a number greater than 0.');
  }
  return parsed;
}

function nonNegativeNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError('Expected a number of at least 0.');
  }
  return parsed;
}

function integerFrom(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (
      !/^\d+$/.test(value.trim()) ||
      !Number.isSafeInteger(parsed) ||
      parsed < min ||
      parsed > max
    ) {
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    }
    return parsed;
  };
}

function httpUrl(value: string): string {
  if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) {
    throw new InvalidArgumentError('Expected an http:// or https:// URL.');
  }
  return value;
}

/** The `simulate` command: options, defaults and help. */
export function createCommand(): Command {
  return new Command('simulate')
    .description(
      'Emit the events of a simulated SaaS world (accounts, users, sessions, onboarding, tickets, ' +
        'surveys, subscriptions) to the kpiwall collector, or to an NDJSON file.',
    )
    .option('--rate <events/s>', 'target live events per second', positiveNumber, 50)
    .option('--accounts <n>', 'number of customer accounts', integerFrom(1, 100_000), 40)
    .option(
      '--seed <n>',
      'random seed: the same seed gives the same world',
      integerFrom(0, Number.MAX_SAFE_INTEGER),
      42,
    )
    .option(
      '--speed <x>',
      'how many times faster than real life the world behaves',
      positiveNumber,
      60,
    )
    .option('--backfill <days>', 'days of history before now to send first', nonNegativeNumber, 0)
    .option(
      '--out <file>',
      'write NDJSON to this file instead of sending: the backfill, or with --backfill 0 the last --duration seconds of live events, then exit',
    )
    .option('--target <url>', 'collector endpoint', httpUrl, 'http://localhost:8080/v1/events')
    .option(
      '--duration <seconds>',
      'stop after this many seconds of live events (default: until interrupted)',
      positiveNumber,
    )
    .option('--batch <n>', 'events per POST', integerFrom(1, 100_000), 200)
    .allowExcessArguments(false);
}

/** Parses and validates the arguments after the program name; exits with a message on error. */
export function parseOptions(args: readonly string[], command = createCommand()): SimulatorOptions {
  command.parse(args, { from: 'user' });
  const options = command.opts<SimulatorOptions>();
  if (options.out !== undefined && options.backfill === 0 && options.duration === undefined) {
    command.error(
      'error: --out needs --backfill <days> or --duration <seconds> to know what to write',
    );
  }
  return options;
}
