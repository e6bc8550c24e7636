-- Issue #12: PostgreSQL spreads each tenant's change counter and counter buckets over sixteen
-- shards so that its writes stop queueing for one row. SQLite runs one write at a time anyway:
-- its rows keep shard 0, and the column only gives both databases the same shape for the
-- queries that read them (which add the shards up).
ALTER TABLE customer_versions ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customer_counters ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
