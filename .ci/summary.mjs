// Prints vitest's JSON report as one plain closing line ("N passed, N failed, N skipped"),
// with the slowest test files first so CI's time budget stays visible.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const files = report.testResults.map((f) => ({
  name: f.name.replace(process.cwd() + '/', ''),
  ms: f.endTime - f.startTime,
}));
files.sort((a, b) => b.ms - a.ms);
console.log('\nslowest test files:');
for (const f of files.slice(0, 10)) console.log(`  ${(f.ms / 1000).toFixed(1).padStart(6)} s  ${f.name}`);
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
