// Applies the timestamped SQL files in ingest/migrations in name order, once each, and records
// them in `schema_migrations`. Files use `{{db}}` for the database, which comes from validated
// config (a plain identifier), never from user input.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../../core/logger.ts';
import { INSERT_SETTINGS, QUERY_SETTINGS } from './settings.ts';
import { chTime } from './time.ts';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');
const FILE_NAME = /^(\d{8}_\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: string;
  name: string;
  statements: string[];
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => {
      const m = FILE_NAME.exec(name);
      if (!m) throw new Error(`migrate: ${name} must be named YYYYMMDD_NNNN_words.sql`);
      return { version: m[1]!, name, statements: splitStatements(readFileSync(join(dir, name), 'utf8')) };
    });
}

/** Splits a file on `;` at the end of a line; comments are dropped. */
export function splitStatements(sql: string): string[] {
  const body = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return body
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function migrate(client: ClickHouseClient, database: string, logger: Logger, migrations = loadMigrations()): Promise<string[]> {
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${database}.schema_migrations (version String, name String, appliedAt DateTime64(3, 'UTC')) ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const rs = await client.query({ query: `SELECT version FROM ${database}.schema_migrations FINAL`, format: 'JSONEachRow', clickhouse_settings: { ...QUERY_SETTINGS } });
  const done = new Set(((await rs.json()) as { version: string }[]).map((r) => r.version));
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    // Statements use IF NOT EXISTS, so a crash halfway through a file is repaired by running it again.
    for (const statement of m.statements) await client.command({ query: statement.replaceAll('{{db}}', database) });
    await client.insert({
      table: `${database}.schema_migrations`,
      values: [{ version: m.version, name: m.name, appliedAt: chTime(Date.now()) }],
      format: 'JSONEachRow',
      clickhouse_settings: { ...INSERT_SETTINGS },
    });
    logger.info('migration applied', { version: m.version, file: m.name, database });
    applied.push(m.version);
  }
  return applied;
}
