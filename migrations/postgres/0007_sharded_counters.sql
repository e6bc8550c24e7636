-- Issue #12: a tenant's writes no longer queue for one row.
--
-- Every change to a customer bumped the tenant's one change-counter row and moved its counter
-- bucket rows (by status and tier), so all writes of a tenant waited for each other's commit:
-- about 400-550 points changes a second on PostgreSQL. Both now have sixteen rows per tenant
-- (and per bucket), chosen by the customer's id (`id % 16`): writes to customers of different
-- shards never wait for each other. Readers add the shards up (the version is the sum: any bump
-- changes it; the buckets are summed per status and tier).

ALTER TABLE customer_versions ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE customer_versions DROP CONSTRAINT customer_versions_pkey;
ALTER TABLE customer_versions ADD PRIMARY KEY (tenant_id, shard);

-- Shards in one order, so two statements that change many customers cannot deadlock.
CREATE OR REPLACE FUNCTION customer_versions_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_versions (tenant_id, shard, version)
    SELECT DISTINCT tenant_id, (id % 16)::SMALLINT, 1 FROM changed ORDER BY 1, 2
    ON CONFLICT (tenant_id, shard) DO UPDATE SET version = customer_versions.version + 1;
    RETURN NULL;
END
$$;

ALTER TABLE customer_counters ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE customer_counters DROP CONSTRAINT customer_counters_pkey;
ALTER TABLE customer_counters ADD PRIMARY KEY (tenant_id, is_active, tier, shard);

-- As before (a move changes two rows, always in the order of status, then tier, so opposite
-- moves cannot deadlock), within the customer's shard.
CREATE OR REPLACE FUNCTION customer_counters_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    new_first BOOLEAN := TG_OP = 'INSERT'
        OR (TG_OP = 'UPDATE' AND (NEW.is_active, NEW.tier) < (OLD.is_active, OLD.tier));
BEGIN
    IF new_first THEN
        INSERT INTO customer_counters (tenant_id, is_active, tier, shard, customers, points)
        VALUES (NEW.tenant_id, NEW.is_active, NEW.tier, (NEW.id % 16)::SMALLINT, 1, NEW.loyalty_points)
        ON CONFLICT (tenant_id, is_active, tier, shard)
        DO UPDATE SET customers = customer_counters.customers + 1,
                      points = customer_counters.points + EXCLUDED.points;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE customer_counters
        SET customers = customers - 1, points = points - OLD.loyalty_points
        WHERE tenant_id = OLD.tenant_id AND is_active = OLD.is_active AND tier = OLD.tier
          AND shard = (OLD.id % 16)::SMALLINT;
    END IF;
    IF TG_OP = 'UPDATE' AND NOT new_first THEN
        INSERT INTO customer_counters (tenant_id, is_active, tier, shard, customers, points)
        VALUES (NEW.tenant_id, NEW.is_active, NEW.tier, (NEW.id % 16)::SMALLINT, 1, NEW.loyalty_points)
        ON CONFLICT (tenant_id, is_active, tier, shard)
        DO UPDATE SET customers = customer_counters.customers + 1,
                      points = customer_counters.points + EXCLUDED.points;
    END IF;
    RETURN NULL;
END
$$;

-- The buckets spread over the shards from the customers themselves (the same totals).
DELETE FROM customer_counters;
INSERT INTO customer_counters (tenant_id, is_active, tier, shard, customers, points)
SELECT tenant_id, is_active, tier, (id % 16)::SMALLINT, COUNT(*), SUM(loyalty_points) FROM customers
GROUP BY tenant_id, is_active, tier, (id % 16)::SMALLINT;
