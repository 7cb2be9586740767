// Writes dashboards/json/<uid>.json from definitions.ts. Run after changing a dashboard:
//   node bin/run-ts.js dashboards/build.ts
// (dashboards.test.ts fails while the JSON and the definitions differ).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS, toGrafana } from './definitions.ts';

export const JSON_DIR = join(dirname(fileURLToPath(import.meta.url)), 'json');

export function dashboardFile(uid: string): string {
  return join(JSON_DIR, `${uid}.json`);
}

export function renderDashboard(uid: string): string {
  const spec = DASHBOARDS.find((d) => d.uid === uid);
  if (!spec) throw new Error(`dashboards: no dashboard "${uid}"`);
  return JSON.stringify(toGrafana(spec), null, 2) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const d of DASHBOARDS) {
    writeFileSync(dashboardFile(d.uid), renderDashboard(d.uid));
    process.stdout.write(`dashboards: wrote ${dashboardFile(d.uid)}\n`);
  }
}
