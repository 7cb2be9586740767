#!/usr/bin/env node
// Runs one TypeScript file with tsx's loader: `node bin/run-ts.js bench/index.ts ingest`.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('run-ts: give the TypeScript file to run');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(file), ...rest];
register();
await import(pathToFileURL(resolve(file)).href);
