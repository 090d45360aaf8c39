import { z } from 'zod';

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** An IANA time zone name this runtime knows, e.g. `UTC` or `Europe/Berlin`. */
export const timeZoneSchema = z
  .string()
  .refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin');
