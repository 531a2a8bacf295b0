// Totals every suite's results into the one closing line CI reads: vitest JSON reports from each
// package, plus the `N passed, N failed` line of the infrastructure checks when given.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const VitestReport = z.object({
  numPassedTests: z.number(),
  numFailedTests: z.number(),
  numPendingTests: z.number().default(0),
  numTodoTests: z.number().default(0),
  success: z.boolean(),
});

const roots = ['models', ...readdirSync('packages').map((p) => join('packages', p))];
let passed = 0;
let failed = 0;
let skipped = 0;
const rows: string[] = [];
for (const root of roots) {
  if (!existsSync(join(root, 'package.json'))) continue;
  const file = join(root, '.test-results', 'vitest.json');
  if (!existsSync(file)) {
    // A package with tests that produced no report crashed before reporting: count it as a failure.
    if (existsSync(join(root, 'test'))) {
      failed += 1;
      rows.push(`${root}: no report (suite crashed)`);
    }
    continue;
  }
  const report = VitestReport.parse(JSON.parse(readFileSync(file, 'utf8')));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.success || report.numFailedTests > 0 ? 0 : 1);
  skipped += report.numPendingTests + report.numTodoTests;
  rows.push(`${root}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}

// The lint/typecheck checks write one `PASS name` / `FAIL name` line each.
const checksLog = process.argv[2];
if (checksLog && existsSync(checksLog)) {
  for (const line of readFileSync(checksLog, 'utf8').trim().split('\n')) {
    const [verdict, name] = line.split(' ');
    if (verdict === 'PASS') passed += 1;
    else failed += 1;
    rows.push(`${name ?? line}: ${verdict === 'PASS' ? 'passed' : 'failed'}`);
  }
}

const infraLog = process.argv[3];
if (infraLog && existsSync(infraLog)) {
  const lines = readFileSync(infraLog, 'utf8').trim().split('\n');
  const last = lines.at(-1) ?? '';
  const match = /(\d+) passed, (\d+) failed/.exec(last);
  if (match) {
    passed += Number(match[1]);
    failed += Number(match[2]);
    rows.push(`infra: ${match[1]} passed, ${match[2]} failed`);
  } else {
    failed += 1;
    rows.push('infra: no summary line (checks crashed)');
  }
}

for (const row of rows) console.log(`  ${row}`);
console.log(
  skipped > 0
    ? `${passed} passed, ${failed} failed, ${skipped} skipped`
    : `${passed} passed, ${failed} failed`,
);
process.exitCode = failed > 0 ? 1 : 0;
