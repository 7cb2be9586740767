// Settings every store call states explicitly. chdb keeps per-call clickhouse_settings on its
// session, so a setting left by an earlier call (an insert_deduplication_token, say) would silently
// change a later one; naming them all on every call makes each call independent of the last.

/**
 * An empty deduplication token means "no token" and resets one left on the session; inserts are
 * synchronous so a resolved insert means the rows are written (the ingester commits after that).
 * best_effort parses the contract's ISO-8601 times with offset in ClickHouse, so rows carry the
 * validated strings as they came instead of being re-formatted in JavaScript per event.
 */
export const INSERT_SETTINGS = {
  insert_deduplication_token: '',
  async_insert: 0,
  input_format_skip_unknown_fields: 0,
  date_time_input_format: 'best_effort',
} as const;

/** 64-bit integers as JSON numbers (fen totals stay far below 2^53), plain time format. */
export const QUERY_SETTINGS = {
  output_format_json_quote_64bit_integers: 0,
  date_time_output_format: 'simple',
  join_use_nulls: 0,
} as const;

/**
 * INSERT_SETTINGS as a query-level SETTINGS clause. A SETTINGS clause binds to its one statement on
 * both backends, where clickhouse_settings become session-wide `SET`s on chdb.
 */
export const INSERT_SETTINGS_SQL = Object.entries(INSERT_SETTINGS)
  .map(([k, v]) => `${k} = ${typeof v === 'number' ? v : `'${v}'`}`)
  .join(', ');

/**
 * For inserts of pre-encoded rows (./encoded-rows.ts): a JSON array or object given for a String
 * column is stored as its JSON text, byte for byte (ClickHouse's default since 23.x, stated so a
 * server with another default cannot change what is stored). The decision sink writes each
 * decision's explanation, already JSON text, into its row as is instead of escaping it as a string
 * that ClickHouse then unescapes.
 */
export const ENCODED_INSERT_SETTINGS_SQL = `${INSERT_SETTINGS_SQL}, input_format_json_read_arrays_as_strings = 1`;
