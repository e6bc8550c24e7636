-- Issue #12: the counters move once per statement, not once per changed customer.
--
-- A trigger for each row moved a customer's counter buckets: a statement that changes many
-- customers (a new tier threshold re-tiering a million of them, an expiry run, a bulk change)
-- updated the same few counter rows once or twice per customer, in one transaction. Each update
-- leaves a dead row version that only VACUUM takes away (and a cluster may run without
-- autovacuum): after one threshold change on a million customers, the tenant's 128 counter rows
-- lay among 330,000 dead versions, and reading the statistics visited 1,300 pages (3.5 ms, 0.07
-- of the figure before the change for 16 connections).
--
-- Now each statement sums what it changed per bucket (its transition tables) and moves each
-- bucket once, in the order of the bucket's key, so two statements still cannot deadlock on
-- them. A points change that keeps the customer in its bucket writes the row once instead of
-- twice; a change that moves no count or points (a new name) writes nothing.

DROP TRIGGER customer_counters_insert_delete ON customers;
DROP TRIGGER customer_counters_update ON customers;

CREATE OR REPLACE FUNCTION customer_counters_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO customer_counters (tenant_id, is_active, tier, shard, customers, points)
        SELECT tenant_id, is_active, tier, (id % 16)::SMALLINT, COUNT(*), CAST(SUM(loyalty_points) AS BIGINT)
        FROM new_rows
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, is_active, tier, shard)
        DO UPDATE SET customers = customer_counters.customers + EXCLUDED.customers,
                      points = customer_counters.points + EXCLUDED.points;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO customer_counters (tenant_id, is_active, tier, shard, customers, points)
        SELECT tenant_id, is_active, tier, (id % 16)::SMALLINT, -COUNT(*), -CAST(SUM(loyalty_points) AS BIGINT)
        FROM old_rows
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, is_active, tier, shard)
        DO UPDATE SET customers = customer_counters.customers + EXCLUDED.customers,
                      points = customer_counters.points + EXCLUDED.points;
    ELSE
        INSERT INTO customer_counters (tenant_id, is_active, tier, shard, customers, points)
        SELECT tenant_id, is_active, tier, shard, CAST(SUM(customers) AS BIGINT), CAST(SUM(points) AS BIGINT)
        FROM (
            SELECT tenant_id, is_active, tier, (id % 16)::SMALLINT AS shard, 1 AS customers, loyalty_points AS points
            FROM new_rows
            UNION ALL
            SELECT tenant_id, is_active, tier, (id % 16)::SMALLINT, -1, -loyalty_points
            FROM old_rows
        ) AS moved
        GROUP BY 1, 2, 3, 4
        HAVING SUM(customers) <> 0 OR SUM(points) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, is_active, tier, shard)
        DO UPDATE SET customers = customer_counters.customers + EXCLUDED.customers,
                      points = customer_counters.points + EXCLUDED.points;
    END IF;
    RETURN NULL;
END
$$;

-- A trigger with transition tables serves one kind of statement.
CREATE TRIGGER customer_counters_insert AFTER INSERT ON customers
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION customer_counters_maintain();
CREATE TRIGGER customer_counters_delete AFTER DELETE ON customers
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION customer_counters_maintain();
CREATE TRIGGER customer_counters_update AFTER UPDATE ON customers
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION customer_counters_maintain();

-- The buckets counted again into a new table file (the same totals): the per-row trigger may
-- have left a table and index of many pages around the tenants' few live rows, which VACUUM
-- frees for reuse but does not give back.
TRUNCATE customer_counters;
INSERT INTO customer_counters (tenant_id, is_active, tier, shard, customers, points)
SELECT tenant_id, is_active, tier, (id % 16)::SMALLINT, COUNT(*), SUM(loyalty_points) FROM customers
GROUP BY tenant_id, is_active, tier, (id % 16)::SMALLINT;
