// `npm run bench -- <name> [options]` runs bench/<name>.ts; with no name, every benchmark in turn.
// Each benchmark prints one JSON line per figure (see bench/report.ts).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['index.ts', 'report.ts'].includes(f) && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...rest] = process.argv.slice(2);
const names = name ? [name] : available;
for (const n of names) {
  if (!available.includes(n)) {
    console.error(`bench: unknown benchmark "${n}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
}
for (const n of names) {
  const mod = (await import(pathToFileURL(join(here, `${n}.ts`)).href)) as { run(argv: string[]): Promise<void> };
  await mod.run(rest);
}
process.exit(0);
