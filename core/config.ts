// Configuration is read here and only here, once, and parsed with zod; a bad value stops the start
// with a message that says which variable to change. No other file reads process.env.
import { z } from 'zod';

const optionalUrl = z.string().trim().min(1).optional();

const envSchema = z.object({
  KAFKA_BROKERS: z.string().trim().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().default('quanguard'),
  KAFKA_TOPIC_PREFIX: z.string().default('quanguard'),
  CLICKHOUSE_URL: optionalUrl,
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('quanguard'),
  REDIS_URL: optionalUrl,
  // Namespace of every Redis key the engine writes (tests and co-tenants use their own).
  QUANGUARD_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 letters, digits, "_", "." or "-"').default('qg'),
  QUANGUARD_DATA_DIR: z.string().default('./data'),
  // Where embedded ClickHouse runs: a child process at low priority, a worker thread, or the main thread.
  QUANGUARD_CHDB_THREAD: z.enum(['process', 'worker', 'main'], { error: 'must be "process" (embedded ClickHouse in a low-priority child process), "worker" (on its own thread) or "main"' }).default('process'),
  // Niceness of that child process (0-19): 19 lets the API's requests go first; a lower value gives
  // ingest and queries more of a busy machine.
  QUANGUARD_CHDB_NICE: z.coerce.number().int().min(0, 'must be 0-19').max(19, 'must be 0-19').default(19),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  QUANGUARD_REQUIRE_SERVICES: z.enum(['0', '1', '']).default('0'),
  // HMAC secret for ID and phone hashes. The default is for the embedded demo only; the start log
  // warns when it is in use.
  QUANGUARD_HMAC_SECRET: z.string().min(16, 'must be at least 16 characters').default('quanguard-demo-secret-change-me'),
  QUANGUARD_TOKEN_ADMIN: z.string().min(16).optional(),
  QUANGUARD_TOKEN_ISSUANCE: z.string().min(16).optional(),
  QUANGUARD_TOKEN_MERCHANT: z.string().min(16).optional(),
  QUANGUARD_TOKEN_ANALYST: z.string().min(16).optional(),
  QUANGUARD_TOKEN_BUREAU: z.string().min(16).optional(),
});

export interface Config {
  kafka: { brokers: string[]; clientId: string; topicPrefix: string } | null;
  clickhouse: { url: string; username: string; password: string; database: string } | { embeddedPath: string; database: string; /** Run chdb in a child process (default), on a worker thread or on the main thread. */ thread?: 'process' | 'worker' | 'main'; /** The child process's niceness (default 19). */ nice?: number };
  redis: { url: string; prefix: string } | null;
  dataDir: string;
  port: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  requireServices: boolean;
  hmacSecret: string;
  hmacSecretIsDefault: boolean;
  tokens: Partial<Record<'admin' | 'issuance' | 'merchant' | 'analyst' | 'bureau', string>>;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`quanguard: bad configuration, change these environment variables:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    kafka: e.KAFKA_BROKERS
      ? { brokers: e.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean), clientId: e.KAFKA_CLIENT_ID, topicPrefix: e.KAFKA_TOPIC_PREFIX }
      : null,
    clickhouse: e.CLICKHOUSE_URL
      ? { url: e.CLICKHOUSE_URL, username: e.CLICKHOUSE_USER, password: e.CLICKHOUSE_PASSWORD, database: e.CLICKHOUSE_DATABASE }
      : { embeddedPath: `${e.QUANGUARD_DATA_DIR}/clickhouse`, database: e.CLICKHOUSE_DATABASE, thread: e.QUANGUARD_CHDB_THREAD, nice: e.QUANGUARD_CHDB_NICE },
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.QUANGUARD_REDIS_PREFIX } : null,
    dataDir: e.QUANGUARD_DATA_DIR,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    requireServices: e.QUANGUARD_REQUIRE_SERVICES === '1',
    hmacSecret: e.QUANGUARD_HMAC_SECRET,
    hmacSecretIsDefault: env.QUANGUARD_HMAC_SECRET === undefined,
    tokens: {
      admin: e.QUANGUARD_TOKEN_ADMIN,
      issuance: e.QUANGUARD_TOKEN_ISSUANCE,
      merchant: e.QUANGUARD_TOKEN_MERCHANT,
      analyst: e.QUANGUARD_TOKEN_ANALYST,
      bureau: e.QUANGUARD_TOKEN_BUREAU,
    },
  };
}
