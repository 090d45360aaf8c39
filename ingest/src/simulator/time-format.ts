/** How an event's `time` is written: RFC 3339 in UTC, RFC 3339 with a UTC offset, or epoch ms. */
export type TimeStyle =
  | { readonly kind: 'utc' }
  | { readonly kind: 'offset'; readonly offsetMinutes: number }
  | { readonly kind: 'epoch_ms' };

const minuteMs = 60_000;

/** Writes an instant (epoch ms) as the contract's `time`: the same instant in every style. */
export function formatEventTime(epochMs: number, style: TimeStyle): string | number {
  switch (style.kind) {
    case 'utc':
      return new Date(epochMs).toISOString();
    case 'epoch_ms':
      return epochMs;
    case 'offset': {
      const localDigits = new Date(epochMs + style.offsetMinutes * minuteMs)
        .toISOString()
        .slice(0, -1);
      return localDigits + formatOffset(style.offsetMinutes);
    }
  }
}

function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const magnitude = Math.abs(offsetMinutes);
  const hours = String(Math.floor(magnitude / 60)).padStart(2, '0');
  const minutes = String(magnitude % 60).padStart(2, '0');
  return `${sign}${hours}:${minutes}`;
}
