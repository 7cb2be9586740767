// One JSON line per log entry on stderr. Never log raw ID or phone numbers: callers pass hashes or
// masked values (core/pii.ts), and `redact` drops fields whose names say they hold personal data.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const PERSONAL_FIELD = /^(idNumber|nationalId|idCard|phone|phoneNumber|mobile|name|realName)$/i;

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = PERSONAL_FIELD.test(k) ? '[redacted]' : v instanceof Error ? v.message : v;
  return out;
}

export function createLogger(opts: { level?: LogLevel; base?: Record<string, unknown>; write?: (line: string) => void } = {}): Logger {
  const level = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = opts.base ?? {};
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < level) return;
    write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...base, ...(fields ? redact(fields) : {}) }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ level: opts.level, base: { ...base, ...fields }, write }),
  };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });
