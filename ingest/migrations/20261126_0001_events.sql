-- Event tables, one per event type, versioned by name (`_v1`). A breaking change adds `_v2` beside
-- it; nothing renames a column in place.
--
-- Common shape, and why:
-- * ReplacingMergeTree with eventId as the LAST sort-key column: a row that was stored twice (the
--   ingester's stored-id check is the first line of defence, see ingest/dedup.ts) collapses on
--   merge and under FINAL, because a redelivered event has the same sort-key values.
-- * `INDEX ... eventId TYPE bloom_filter`: the ingester asks "which of these eventIds are already
--   here?" once per batch; the sort keys serve analytic queries, so eventId needs a skip index.
-- * Few other skip indexes: each costs insert CPU on every row (measured: the four blooms on
--   claims were ~15% of its insert cost). Hot per-user and per-device lookups live in the hot
--   state, not here; an index can be added later by a migration (ADD INDEX + MATERIALIZE INDEX).
-- * PARTITION BY month of occurredAt: T+1 reports and backtests read whole days; old months can be
--   dropped or moved in one step. A redelivered event lands in the same partition, which
--   ReplacingMergeTree needs (it only collapses within a partition).
-- * Times are DateTime64(3, 'UTC'): millisecond precision as in the contract; reports convert to
--   Asia/Shanghai. Money is Int64/UInt64 fen. Enums are LowCardinality(String) so a new contract
--   value never needs an ALTER.

-- Claims: bot-claiming rules and per-batch reports read one campaign batch's drop window
-- ("claims in the first seconds after dropAt"), so (campaignId, batchId, occurredAt) leads.
-- Per-user and per-device lookups go through bloom filters.
CREATE TABLE IF NOT EXISTS {{db}}.claims_v1
(
    eventId String,
    occurredAt DateTime64(3, 'UTC'),
    claimId String,
    couponId String,
    campaignId String,
    batchId String,
    couponTypeId String,
    userId String,
    idHash String,
    phoneHash String,
    deviceId String,
    ip String,
    lat Nullable(Float64),
    lon Nullable(Float64),
    userAgent String,
    channel LowCardinality(String),
    accountCreatedAt Nullable(DateTime64(3, 'UTC')),
    INDEX idx_event_id eventId TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_user_id userId TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (campaignId, batchId, occurredAt, eventId);

-- Redemptions: cash-out and price-gouging rules, merchant-risk features and settlement reports
-- all ask "what did this merchant do in this window", so (merchantId, occurredAt) leads.
CREATE TABLE IF NOT EXISTS {{db}}.redemptions_v1
(
    eventId String,
    occurredAt DateTime64(3, 'UTC'),
    redemptionId String,
    couponId String,
    campaignId String,
    couponTypeId String,
    userId String,
    merchantId String,
    orderId String,
    orderFen UInt64,
    discountFen UInt64,
    paidFen UInt64,
    terminalId String,
    cardBin String,
    cardHash String,
    deviceId String,
    ip String,
    lat Nullable(Float64),
    lon Nullable(Float64),
    -- Items stay a JSON array: only the price-gouging model reads them, and it reads whole orders.
    itemsJson String,
    INDEX idx_event_id eventId TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_user_id userId TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_order_id orderId TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (merchantId, occurredAt, eventId);

-- Refunds: read beside the same merchant's redemptions (refund-after-redeem patterns), so the
-- same leading key; orderId joins back to the redemption.
CREATE TABLE IF NOT EXISTS {{db}}.refunds_v1
(
    eventId String,
    occurredAt DateTime64(3, 'UTC'),
    refundId String,
    orderId String,
    merchantId String,
    userId String,
    refundFen UInt64,
    couponReturned UInt8,
    INDEX idx_event_id eventId TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_order_id orderId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (merchantId, occurredAt, eventId);

-- Merchants: every registration is kept (a changed settlement account or owner is itself a
-- subsidy-fraud signal); the current view is argMax(..., occurredAt) per merchantId.
CREATE TABLE IF NOT EXISTS {{db}}.merchants_v1
(
    eventId String,
    occurredAt DateTime64(3, 'UTC'),
    merchantId String,
    name String,
    category LowCardinality(String),
    district LowCardinality(String),
    lat Float64,
    lon Float64,
    ownerIdHash String,
    settlementAccountHash String,
    terminalIds Array(String),
    INDEX idx_event_id eventId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree
ORDER BY (merchantId, occurredAt, eventId);

-- Eligibility (lottery winners): checked per campaign and user; idHash finds one person's accounts.
CREATE TABLE IF NOT EXISTS {{db}}.eligibility_v1
(
    eventId String,
    occurredAt DateTime64(3, 'UTC'),
    campaignId String,
    userId String,
    idHash String,
    phoneHash String,
    INDEX idx_event_id eventId TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_id_hash idHash TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree
ORDER BY (campaignId, userId, eventId);

-- Prices: price gouging compares one SKU's baseline with later menu/POS prices at one merchant.
CREATE TABLE IF NOT EXISTS {{db}}.prices_v1
(
    eventId String,
    occurredAt DateTime64(3, 'UTC'),
    merchantId String,
    sku String,
    name String,
    priceFen UInt64,
    source LowCardinality(String),
    INDEX idx_event_id eventId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (merchantId, sku, occurredAt, eventId);

-- Campaigns: few rows, read whole; nested batches and limits are kept as the contract's JSON.
CREATE TABLE IF NOT EXISTS {{db}}.campaigns_v1
(
    eventId String,
    occurredAt DateTime64(3, 'UTC'),
    campaignId String,
    name String,
    startsAt DateTime64(3, 'UTC'),
    endsAt DateTime64(3, 'UTC'),
    budgetFen UInt64,
    refundPolicy LowCardinality(String),
    districts Array(LowCardinality(String)),
    batchesJson String,
    limitsJson String,
    cardBins Array(String),
    geoFenceJson String,
    INDEX idx_event_id eventId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree
ORDER BY (campaignId, occurredAt, eventId);
