import { readFileSync } from 'node:fs';
import { z } from 'zod';

// One closing line over every suite of `npm test`, in the plain form CI reads
// ("N passed, N failed"), from vitest's JSON report.
const reportSchema = z.object({
  numPassedTests: z.int(),
  numFailedTests: z.int(),
  numPendingTests: z.int(),
  numTodoTests: z.int(),
});
const report = reportSchema.parse(JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
    (skipped > 0 ? `, ${skipped} skipped` : ''),
);
