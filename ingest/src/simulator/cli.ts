// Entry point of `npm run simulate`: parses options, wires signals, and runs the simulation
// into the collector or into an NDJSON file.
import { LiveSimulation } from './live.ts';
import { parseOptions, type SimulatorOptions } from './options.ts';
import { streamToCollector } from './to-collector.ts';
import { writeNdjson } from './to-file.ts';

const liveStepMs = 100;

function log(line: object): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
}

/** First SIGINT/SIGTERM: stop generating and deliver what is pending. Second: give up. */
function interruptSignals(): { stop: AbortSignal; abort: AbortSignal } {
  const stop = new AbortController();
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      log({
        msg: 'simulator',
        signal,
        action: 'stopping; interrupt again to drop undelivered events',
      });
      stop.abort();
    } else {
      abort.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { stop: stop.signal, abort: abort.signal };
}

function simulationOf(options: SimulatorOptions, nowMs: number): LiveSimulation {
  return new LiveSimulation({
    seed: options.seed,
    accounts: options.accounts,
    speed: options.speed,
    rate: options.rate,
    backfillDays: options.backfill,
    now: nowMs,
  });
}

async function writeFile(options: SimulatorOptions, out: string, stop: AbortSignal): Promise<void> {
  const now = Date.now();
  const live = options.backfill === 0;
  // Without a backfill, the file holds live behaviour over the last --duration seconds.
  const liveSeconds = live ? (options.duration ?? 0) : 0;
  const simulation = simulationOf(options, now - Math.round(liveSeconds * 1000));
  const chunks = live
    ? simulation.advanceInSteps(now, liveStepMs)
    : (function* backfillWithProgress() {
        for (const chunk of simulation.backfill()) {
          log({
            msg: 'simulator backfill',
            until: new Date(chunk.until).toISOString(),
            events: chunk.events.length,
          });
          yield chunk.events;
        }
      })();
  const written = await writeNdjson(out, chunks, stop);
  log({ msg: 'simulator', out, written });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { stop, abort } = interruptSignals();
  try {
    if (options.out !== undefined) {
      await writeFile(options, options.out, stop);
      return;
    }
    const simulation = simulationOf(options, Date.now());
    await streamToCollector(simulation, {
      target: options.target,
      batch: options.batch,
      liveDurationMs: options.duration === undefined ? undefined : options.duration * 1000,
      stop,
      abort,
      log,
    });
  } catch (error) {
    if (abort.aborted) {
      log({
        msg: 'simulator',
        level: 'warn',
        error: 'interrupted twice: undelivered events dropped',
      });
      process.exitCode = 130;
      return;
    }
    log({
      msg: 'simulator',
      level: 'error',
      error: error instanceof Error ? error.message : String(error),
    });
    process.exitCode = 1;
  }
}

await main();
