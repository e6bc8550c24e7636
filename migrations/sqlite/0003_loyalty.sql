-- The loyalty program (one per tenant, on the tenant's row), orders, points lots that expire,
-- and every change of a customer's tier. A customer's tier is stored (0 bronze .. 3 platinum),
-- written with every change of its points from the tenant's thresholds, and rewritten for the
-- whole tenant when the thresholds change; the counters are kept by the stored tier.

ALTER TABLE tenants ADD COLUMN spend_per_point_minor INTEGER NOT NULL DEFAULT 1000000
    CHECK (spend_per_point_minor > 0);
ALTER TABLE tenants ADD COLUMN points_expire_after_days INTEGER
    CHECK (points_expire_after_days BETWEEN 1 AND 3650);
ALTER TABLE tenants ADD COLUMN tier_silver INTEGER NOT NULL DEFAULT 100;
ALTER TABLE tenants ADD COLUMN tier_gold INTEGER NOT NULL DEFAULT 500;
ALTER TABLE tenants ADD COLUMN tier_platinum INTEGER NOT NULL DEFAULT 1000;

-- What a customer had before orders were recorded (demo data, imports): totals always equal
-- these plus what the recorded orders add.
ALTER TABLE customers ADD COLUMN opening_orders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN opening_spent_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN tier INTEGER NOT NULL DEFAULT 0;
UPDATE customers SET opening_orders = total_orders, opening_spent_minor = total_spent_minor,
    tier = CASE WHEN loyalty_points >= 1000 THEN 3 WHEN loyalty_points >= 500 THEN 2
                WHEN loyalty_points >= 100 THEN 1 ELSE 0 END;

DROP TRIGGER customer_counters_insert;
DROP TRIGGER customer_counters_delete;
DROP TRIGGER customer_counters_update;
CREATE TRIGGER customer_counters_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_counters (tenant_id, is_active, tier, customers, points)
    VALUES (NEW.tenant_id, NEW.is_active, NEW.tier, 1, NEW.loyalty_points)
    ON CONFLICT (tenant_id, is_active, tier)
    DO UPDATE SET customers = customers + 1, points = points + excluded.points;
END;
CREATE TRIGGER customer_counters_delete AFTER DELETE ON customers BEGIN
    UPDATE customer_counters SET customers = customers - 1, points = points - OLD.loyalty_points
    WHERE tenant_id = OLD.tenant_id AND is_active = OLD.is_active AND tier = OLD.tier;
END;
CREATE TRIGGER customer_counters_update AFTER UPDATE OF is_active, loyalty_points, tier ON customers
WHEN OLD.is_active IS NOT NEW.is_active OR OLD.loyalty_points IS NOT NEW.loyalty_points
     OR OLD.tier IS NOT NEW.tier BEGIN
    UPDATE customer_counters SET customers = customers - 1, points = points - OLD.loyalty_points
    WHERE tenant_id = OLD.tenant_id AND is_active = OLD.is_active AND tier = OLD.tier;
    INSERT INTO customer_counters (tenant_id, is_active, tier, customers, points)
    VALUES (NEW.tenant_id, NEW.is_active, NEW.tier, 1, NEW.loyalty_points)
    ON CONFLICT (tenant_id, is_active, tier)
    DO UPDATE SET customers = customers + 1, points = points + excluded.points;
END;
-- The counters' buckets rebuilt from the stored tiers (the same values as before).
DELETE FROM customer_counters;
INSERT INTO customer_counters (tenant_id, is_active, tier, customers, points)
SELECT tenant_id, is_active, tier, COUNT(*), SUM(loyalty_points) FROM customers
GROUP BY tenant_id, is_active, tier;

-- The ledger takes the new sources (SQLite cannot change a CHECK: the table is rebuilt).
CREATE TABLE points_ledger_new (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    delta         INTEGER NOT NULL,
    balance_after INTEGER NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL
        CHECK (source IN ('manual', 'edit', 'create', 'order', 'refund', 'expiry', 'import')),
    user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL
);
INSERT INTO points_ledger_new SELECT * FROM points_ledger;
DROP TABLE points_ledger;
ALTER TABLE points_ledger_new RENAME TO points_ledger;
CREATE INDEX points_ledger_by_customer ON points_ledger (customer_id, id);

-- Sales recorded by the till. The reference is unique per tenant (a till's retry finds it).
CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    reference       TEXT NOT NULL,
    total_minor     INTEGER NOT NULL CHECK (total_minor > 0),
    refunded_minor  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor BETWEEN 0 AND total_minor),
    points_earned   INTEGER NOT NULL CHECK (points_earned >= 0),
    points_reversed INTEGER NOT NULL DEFAULT 0 CHECK (points_reversed BETWEEN 0 AND points_earned),
    ordered_at      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (tenant_id, reference)
);
CREATE INDEX orders_by_customer ON orders (customer_id, ordered_at, id);

-- Points that expire: one lot per addition while the tenant's points expire, consumed oldest
-- first by deductions. Points outside lots never expire and count as older than every lot.
CREATE TABLE points_lots (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    remaining   INTEGER NOT NULL CHECK (remaining >= 0),
    expires_at  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX points_lots_open_by_customer ON points_lots (customer_id, id) WHERE remaining > 0;
CREATE INDEX points_lots_open_by_expiry ON points_lots (expires_at, customer_id) WHERE remaining > 0;

-- Every change of a customer's tier, with its cause.
CREATE TABLE tier_changes (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tier          INTEGER NOT NULL,
    previous_tier INTEGER,
    cause         TEXT NOT NULL
        CHECK (cause IN ('order', 'refund', 'manual', 'edit', 'create', 'expiry', 'program', 'import')),
    changed_at    TEXT NOT NULL
);
CREATE INDEX tier_changes_by_customer ON tier_changes (customer_id, id);
-- Customers that existed before tiers were recorded start their history when they were created.
INSERT INTO tier_changes (tenant_id, customer_id, tier, previous_tier, cause, changed_at)
SELECT tenant_id, id, tier, NULL, 'create', created_at FROM customers ORDER BY id;
