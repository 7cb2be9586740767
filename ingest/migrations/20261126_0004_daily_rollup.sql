-- The T+1 daily rollup per CST day, district, category and campaign, kept by materialized views
-- as events are inserted. SummingMergeTree adds rows with equal keys on merge; readers still
-- sum() with GROUP BY because merges are eventual.
--
-- Exactly-once here rests on the ingester: a materialized view sees every INSERT block, so an
-- event inserted twice would count twice. The ingester inserts only eventIds not yet stored in
-- the event table (ingest/dedup.ts), and each table insert is one block (atomic), so a crash
-- between inserts never lets an event reach the rollup twice.
CREATE TABLE IF NOT EXISTS {{db}}.daily_rollup_v1
(
    day Date,
    district LowCardinality(String),
    category LowCardinality(String),
    campaignId String,
    claims UInt64,
    redemptions UInt64,
    orderFen Int64,
    discountFen Int64,
    refunds UInt64,
    refundFen Int64
)
ENGINE = SummingMergeTree
ORDER BY (day, district, category, campaignId);

-- A claim is not tied to a merchant: it rolls up under district and category '' (the campaign
-- row of the day), never under a guessed place.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.daily_rollup_claims_mv_v1 TO {{db}}.daily_rollup_v1 AS
SELECT
    toDate(occurredAt, 'Asia/Shanghai') AS day,
    '' AS district,
    '' AS category,
    campaignId,
    count() AS claims,
    toUInt64(0) AS redemptions,
    toInt64(0) AS orderFen,
    toInt64(0) AS discountFen,
    toUInt64(0) AS refunds,
    toInt64(0) AS refundFen
FROM {{db}}.claims_v1
GROUP BY day, campaignId;

-- Inside a view's SELECT every reference to the source table reads the inserted block, not the
-- table: the `IN (SELECT ... FROM <source>)` filters below bound each join to the block's
-- merchants and orders (redemptions' primary key leads with merchantId), so a view's cost follows
-- the batch, not the size of the history.

-- Redemptions take the merchant's district and category as registered at insert time
-- ('unknown' when the merchant is not registered yet).
CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.daily_rollup_redemptions_mv_v1 TO {{db}}.daily_rollup_v1 AS
SELECT
    toDate(r.occurredAt, 'Asia/Shanghai') AS day,
    if(m.merchantId = '', 'unknown', m.district) AS district,
    if(m.merchantId = '', 'unknown', m.category) AS category,
    r.campaignId AS campaignId,
    toUInt64(0) AS claims,
    count() AS redemptions,
    toInt64(sum(r.orderFen)) AS orderFen,
    toInt64(sum(r.discountFen)) AS discountFen,
    toUInt64(0) AS refunds,
    toInt64(0) AS refundFen
FROM {{db}}.redemptions_v1 AS r
LEFT JOIN
(
    SELECT merchantId, argMax(district, occurredAt) AS district, argMax(category, occurredAt) AS category
    FROM {{db}}.merchants_v1
    WHERE merchantId IN (SELECT merchantId FROM {{db}}.redemptions_v1)
    GROUP BY merchantId
) AS m ON m.merchantId = r.merchantId
GROUP BY day, district, category, campaignId
SETTINGS join_use_nulls = 0;

-- Refunds carry no campaign: it comes from the redemption of the same order at the same merchant
-- ('' when that redemption is not stored yet).
CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.daily_rollup_refunds_mv_v1 TO {{db}}.daily_rollup_v1 AS
SELECT
    toDate(f.occurredAt, 'Asia/Shanghai') AS day,
    if(m.merchantId = '', 'unknown', m.district) AS district,
    if(m.merchantId = '', 'unknown', m.category) AS category,
    o.campaignId AS campaignId,
    toUInt64(0) AS claims,
    toUInt64(0) AS redemptions,
    toInt64(0) AS orderFen,
    toInt64(0) AS discountFen,
    count() AS refunds,
    toInt64(sum(f.refundFen)) AS refundFen
FROM {{db}}.refunds_v1 AS f
LEFT JOIN
(
    SELECT merchantId, argMax(district, occurredAt) AS district, argMax(category, occurredAt) AS category
    FROM {{db}}.merchants_v1
    WHERE merchantId IN (SELECT merchantId FROM {{db}}.refunds_v1)
    GROUP BY merchantId
) AS m ON m.merchantId = f.merchantId
LEFT JOIN
(
    SELECT merchantId, orderId, any(campaignId) AS campaignId
    FROM {{db}}.redemptions_v1
    WHERE merchantId IN (SELECT merchantId FROM {{db}}.refunds_v1) AND orderId IN (SELECT orderId FROM {{db}}.refunds_v1)
    GROUP BY merchantId, orderId
) AS o ON o.merchantId = f.merchantId AND o.orderId = f.orderId
GROUP BY day, district, category, campaignId
SETTINGS join_use_nulls = 0;
