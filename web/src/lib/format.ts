/**
 * Screen formatting of KPI values (KPIS.md): percentages with one decimal, durations as
 * `1h 05m` / `3m 20s`, counts with thousands separators. `null` (not computable) is an em dash.
 */

export const missingValue = '—';

export type ValueFormat = 'count' | 'duration' | 'percent';

const pad2 = (value: number): string => String(value).padStart(2, '0');

/**
 * Elapsed seconds as the two most significant units, truncated like a stopwatch so a wait is
 * never shown longer than it is: `45s`, `3m 20s`, `1h 05m`, `2d 03h`.
 */
export const formatDuration = (seconds: number | null): string => {
  if (seconds === null || !Number.isFinite(seconds)) return missingValue;
  const total = Math.max(0, Math.floor(seconds));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const secs = total % 60;
  if (days > 0) return `${days}d ${pad2(hours)}h`;
  if (hours > 0) return `${hours}h ${pad2(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad2(secs)}s`;
  return `${secs}s`;
};

/** A 0–100 percentage with one decimal. */
export const formatPercent = (percent: number | null): string => {
  if (percent === null || !Number.isFinite(percent)) return missingValue;
  return `${percent.toFixed(1)}%`;
};

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const formatCount = (count: number | null): string => {
  if (count === null || !Number.isFinite(count)) return missingValue;
  return countFormat.format(count);
};

export const formatValue = (format: ValueFormat, value: number | null): string => {
  switch (format) {
    case 'count':
      return formatCount(value);
    case 'duration':
      return formatDuration(value);
    case 'percent':
      return formatPercent(value);
  }
};

/** The zone itself when this browser knows it, else UTC (an unknown zone would throw). */
export const safeTimeZone = (timeZone: string): string => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
};

/** Wall clock time of an epoch-ms instant in the wall's time zone (UTC if the zone is unknown). */
export const formatAsOf = (epochMs: number, timeZone: string): string => {
  const zone = safeTimeZone(timeZone);
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(epochMs);
  return `${text} ${zone}`;
};
