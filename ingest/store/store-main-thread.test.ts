// The AnalyticsStore contract suite (store.test.ts) once more with embedded ClickHouse on the main
// thread (QUANGUARD_CHDB_THREAD=main), the mode the worker thread replaced as the default: both
// modes keep one contract. Each test file runs in its own process, so the modes never share one.
process.env.QG_TEST_CHDB_THREAD = 'main';
await import('./store.test.ts');
