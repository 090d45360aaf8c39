import { describe, expect, it } from 'vitest';
import { createCommand, parseOptions } from './options.ts';

/** Parses like the CLI, but turns commander's exit into an error carrying its message. */
const parse = (args: string[]) => {
  let message = '';
  const command = createCommand()
    .exitOverride()
    .configureOutput({
      writeErr: (text) => {
        message += text;
      },
      writeOut: () => undefined,
    });
  try {
    return parseOptions(args, command);
  } catch (error) {
    throw new Error(message || String(error), { cause: error });
  }
};

describe('simulator options', () => {
  it('has the documented defaults', () => {
    expect(parse([])).toEqual({
      rate: 50,
      accounts: 40,
      seed: 42,
      speed: 60,
      backfill: 0,
      target: 'http://localhost:8080/v1/events',
      batch: 200,
    });
  });

  it('reads every option', () => {
    expect(
      parse([
        '--rate',
        '12.5',
        '--accounts',
        '7',
        '--seed',
        '9',
        '--speed',
        '1',
        '--backfill=2',
        '--out',
        'events.ndjson',
        '--target',
        'https://kpiwall.test/v1/events',
        '--duration',
        '30',
        '--batch',
        '500',
      ]),
    ).toEqual({
      rate: 12.5,
      accounts: 7,
      seed: 9,
      speed: 1,
      backfill: 2,
      out: 'events.ndjson',
      target: 'https://kpiwall.test/v1/events',
      duration: 30,
      batch: 500,
    });
  });

  it.each([
    [['--rate', '0'], '--rate'],
    [['--rate', 'fast'], '--rate'],
    [['--accounts', '2.5'], '--accounts'],
    [['--accounts', '0'], '--accounts'],
    [['--seed', '-1'], '--seed'],
    [['--speed', '-3'], '--speed'],
    [['--backfill', '-1'], '--backfill'],
    [['--target', 'localhost:8080'], '--target'],
    [['--duration', '0'], '--duration'],
    [['--batch', ''], '--batch'],
  ])('rejects %j naming %s', (args, option) => {
    expect(() => parse(args)).toThrow(option);
  });

  it('needs to know what to write with --out', () => {
    expect(() => parse(['--out', 'events.ndjson'])).toThrow(/--out.*--backfill.*--duration/);
    expect(parse(['--out', 'events.ndjson', '--duration', '5']).duration).toBe(5);
  });
});
