const minuteMs = 60_000;
const dayMs = 86_400_000;
// Every time zone's UTC offset is a multiple of 15 minutes, so the local date is constant
// within a UTC quarter hour: one Intl lookup per quarter hour instead of one per event.
const quarterHourMs = 15 * minuteMs;

/** Local calendar days in one IANA time zone, as day numbers (days since 1970-01-01 local). */
export interface LocalCalendar {
  readonly timeZone: string;
  /** The local day number of an instant. */
  dayOf(timeMs: number): number;
}

export const createLocalCalendar = (timeZone: string): LocalCalendar => {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  });
  const dayByQuarterHour = new Map<number, number>();
  const lookup = (timeMs: number): number => {
    const parts = format.formatToParts(timeMs);
    const part = (type: Intl.DateTimeFormatPartTypes): number =>
      Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(part('year'), part('month') - 1, part('day')) / dayMs;
  };
  return {
    timeZone,
    dayOf(timeMs) {
      const bucket = Math.floor(timeMs / quarterHourMs);
      let day = dayByQuarterHour.get(bucket);
      if (day === undefined) {
        day = lookup(timeMs);
        if (dayByQuarterHour.size > 100_000) dayByQuarterHour.clear();
        dayByQuarterHour.set(bucket, day);
      }
      return day;
    },
  };
};

export const minuteOf = (timeMs: number): number => Math.floor(timeMs / minuteMs) * minuteMs;
export { minuteMs };
