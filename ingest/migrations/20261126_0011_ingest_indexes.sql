-- Ingest cost: the per-user bloom filters on claims and redemptions go. Every inserted row paid
-- for them (measured: a claims insert with two bloom indexes cost ~25-35% more chdb CPU than with
-- none, `bench/ingest.ts` notes), and no reader filters these tables by userId: per-user and
-- per-device lookups live in the hot state, models and backtests read time ranges. The eventId
-- bloom filters stay (the server store's stored-id check, ingest/dedup.ts); orderId stays on
-- redemptions for the refunds rollup view's lookup. If a reader needs them back, a migration
-- adds them (ADD INDEX + MATERIALIZE INDEX).
ALTER TABLE {{db}}.claims_v1 DROP INDEX IF EXISTS idx_user_id;
ALTER TABLE {{db}}.redemptions_v1 DROP INDEX IF EXISTS idx_user_id;
