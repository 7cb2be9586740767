// The AnalyticsStore contract suite (store.test.ts) once more with embedded ClickHouse on a worker
// thread of this process (QUANGUARD_CHDB_THREAD=worker), the default before the child process:
// every mode keeps one contract. Each test file runs in its own process, so modes never share one.
process.env.QG_TEST_CHDB_THREAD = 'worker';
await import('./store.test.ts');
