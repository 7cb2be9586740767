-- What people decided about the engine's flags: analysts' reviews of triage cases and field teams'
-- inspection results. A case is one standing flag (fraudType, entityType, entityId); its id is
-- derived from that key (cases/queue.ts), so a model run re-flagging the entity keeps the case and
-- its review. Every review and inspection is kept (who, when, why); the latest one is the state.
CREATE TABLE IF NOT EXISTS {{db}}.case_reviews_v1
(
    reviewId String,
    caseId String,
    fraudType LowCardinality(String),
    entityType LowCardinality(String),
    entityId String,
    status LowCardinality(String),
    note String,
    reviewer String,
    role LowCardinality(String),
    reviewedAt DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (caseId, reviewedAt, reviewId);

-- Field inspections of merchants: the result is also a label for the merchant-risk forest
-- ("field-inspection results later" in models/README.md).
CREATE TABLE IF NOT EXISTS {{db}}.inspections_v1
(
    inspectionId String,
    merchantId String,
    result LowCardinality(String),
    fraudType LowCardinality(String),
    note String,
    inspector String,
    inspectedAt DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (merchantId, inspectedAt, inspectionId);
