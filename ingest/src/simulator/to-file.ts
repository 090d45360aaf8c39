import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { RawEvent } from './events.ts';

/**
 * Writes chunks of events to `path` as NDJSON (one event per line), stopping early when
 * `stop` aborts. Returns how many events were written.
 */
export async function writeNdjson(
  path: string,
  chunks: Iterable<readonly RawEvent[]>,
  stop: AbortSignal,
): Promise<number> {
  const file = createWriteStream(path);
  let written = 0;
  try {
    for (const events of chunks) {
      if (events.length > 0) {
        const text = events.map((event) => JSON.stringify(event)).join('\n') + '\n';
        if (!file.write(text)) await once(file, 'drain');
        written += events.length;
      }
      if (stop.aborted) break;
    }
  } finally {
    file.end();
    await finished(file);
  }
  return written;
}
