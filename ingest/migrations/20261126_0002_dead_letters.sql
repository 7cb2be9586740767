-- Refused messages with the field and the reason, so a producer can fix them. deadLetterId is a
-- hash of the raw message: the same bad message delivered twice (redelivery, replaying a file
-- again) is recorded once. Sorted by it for that check; the table stays small.
CREATE TABLE IF NOT EXISTS {{db}}.dead_letters_v1
(
    deadLetterId String,
    receivedAt DateTime64(3, 'UTC'),
    eventId String,
    eventType LowCardinality(String),
    field String,
    reason String,
    -- The raw text, truncated (rawBytes says how long it was): a hostile line must not bloat the store.
    raw String,
    rawBytes UInt64,
    topic LowCardinality(String),
    partition UInt32,
    offset String
)
ENGINE = ReplacingMergeTree
ORDER BY deadLetterId;
