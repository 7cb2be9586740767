-- Risk decisions, one per event per rule set (shadow rule sets decide beside the live one).
-- Reports read decisions by day and outcome, so occurredAt leads; eventId/decisionId lookups for
-- "explain this decision" go through bloom filters. Re-deciding the same event with the same rule
-- set replaces the row (eventId, rulesetVersion, shadow close the key).
CREATE TABLE IF NOT EXISTS {{db}}.decisions_v1
(
    decisionId String,
    eventId String,
    eventType LowCardinality(String),
    occurredAt DateTime64(3, 'UTC'),
    decision LowCardinality(String),
    score Float64,
    reasons Array(LowCardinality(String)),
    rulesetVersion LowCardinality(String),
    shadow UInt8,
    -- Per-rule results (`ruleId@version`, observed, outcome, reason) as JSON: read whole, never filtered.
    explanation String,
    INDEX idx_event_id eventId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_decision_id decisionId TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (occurredAt, eventId, rulesetVersion, shadow);

-- Flags from the graph and forest models: the case queue reads by fraud type and entity. A model
-- run re-flagging the same entity replaces its earlier flag (latest createdAt wins).
CREATE TABLE IF NOT EXISTS {{db}}.flags_v1
(
    entityType LowCardinality(String),
    entityId String,
    fraudType LowCardinality(String),
    score Float64,
    reasons Array(LowCardinality(String)),
    members Array(String),
    source LowCardinality(String),
    createdAt DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(createdAt)
ORDER BY (fraudType, entityType, entityId, source);
