// Rewrites tests/support/file-durations.json (seconds per test file, longest first) from a vitest
// JSON report, e.g. `CI=true npx vitest run --reporter=default --reporter=json
// --outputFile.json=report.json`. The test sequencer (vitest.config.ts) starts the longest files
// first from these figures; refresh them after a full run when files were added or got slower.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const reportPath = process.argv[2];
if (!reportPath) {
  console.error('Usage: node scripts/test-durations.mjs <vitest-json-report>');
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
const durations = {};
for (const file of report.testResults ?? []) {
  if (typeof file.startTime !== 'number' || typeof file.endTime !== 'number') continue;
  const rel = path.relative(root, file.name).split(path.sep).join('/');
  durations[rel] = Math.round((file.endTime - file.startTime) / 100) / 10;
}
const sorted = Object.entries(durations).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
const out = path.join(root, 'tests/support/file-durations.json');
fs.writeFileSync(out, `{\n${sorted.map(([f, s]) => `  ${JSON.stringify(f)}: ${s}`).join(',\n')}\n}\n`);
console.log(`${sorted.length} files written to ${path.relative(root, out)}`);
