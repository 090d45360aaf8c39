import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { parseEventTime, timeZoneSchema } from '@kpiwall/shared';
import { replay } from './replay.ts';

const parseAsOf = (value: string): number => {
  const parsed = parseEventTime(/^\d+$/.test(value) ? Number(value) : value);
  if (!parsed.ok) {
    throw new InvalidArgumentError(
      `expected RFC 3339 with an offset (e.g. 2026-11-20T18:00:00Z) (${parsed.reason})`,
    );
  }
  return parsed.ms;
};

const parseZone = (value: string): string => {
  const zone = timeZoneSchema.safeParse(value);
  if (!zone.success)
    throw new InvalidArgumentError('expected an IANA time zone such as Europe/Berlin');
  return zone.data;
};

const program = new Command('kpiwall-replay')
  .description(
    'Replays an NDJSON file of events through the live pipeline (validation, dedup, KPI state, ' +
      'ClickHouse writes) in a fresh temporary chdb, and prints the KPIs as of --as-of as JSON ' +
      '(the GET /api/kpis shape) on stdout; a summary goes to stderr.',
  )
  .argument('<file>', 'NDJSON file, one event per line')
  .requiredOption('--as-of <time>', 'the "now" of the replay (RFC 3339 with offset)', parseAsOf)
  .option('--tz <zone>', 'time zone of the calendar windows', parseZone, 'UTC')
  .option('--rejected <file>', 'write each rejected line number and reason as NDJSON')
  .parse();

const [file] = program.processedArgs as [string];
const options = program.opts<{ asOf: number; tz: string; rejected?: string }>();
if (!existsSync(file)) program.error(`error: file not found: ${file}`);

const rejectedOut = options.rejected ? createWriteStream(options.rejected) : null;
const { result, summary } = await replay({
  // readline emits from creation on: open the file only when replay starts iterating.
  openLines: () =>
    createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY }),
  asOfMs: options.asOf,
  timeZone: options.tz,
  onRejected: (rejection) => rejectedOut?.write(`${JSON.stringify(rejection)}\n`),
  onProgress: (linesRead) => {
    process.stderr.write(`replay: ${linesRead} lines read\n`);
  },
});
rejectedOut?.end();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.stderr.write(`${JSON.stringify({ replay: summary })}\n`);
