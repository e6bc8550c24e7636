-- no-transaction
-- Issue #10: duplicates found by stored keys, and merges that can be undone.
--
-- A merge deletes the customers it absorbs and an undo inserts them again with their own ids, so
-- an id must never be given twice: the customers table is rebuilt with AUTOINCREMENT (SQLite
-- otherwise reuses the highest id after it is deleted). The rebuild follows SQLite's documented
-- procedure for changing a table: foreign keys off (which only takes effect outside a
-- transaction, hence no-transaction above), new table, copy, drop, rename, all in one
-- transaction; the rows, their ids and every table that references them stay as they were.
PRAGMA foreign_keys = OFF;
BEGIN;

DROP TRIGGER customers_search_insert;
DROP TRIGGER customers_search_delete;
DROP TRIGGER customers_search_update;
DROP TRIGGER customer_counters_insert;
DROP TRIGGER customer_counters_delete;
DROP TRIGGER customer_counters_update;
DROP TRIGGER customer_versions_insert;
DROP TRIGGER customer_versions_update;
DROP TRIGGER customer_versions_delete;

-- The duplicate keys (see storage/duplicate_keys.rs): the email folded (gmail without dots and
-- +tags), the phone's last 9 digits, the name folded (case, accents, spaces) with the city. NULL
-- means no key, except for `dup_name`: '' means no key (an erased customer) and NULL "not
-- computed yet" (rows from before this migration, filled in by the application when it starts).
CREATE TABLE customers_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id           INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    name_key            TEXT NOT NULL,
    email               TEXT NOT NULL,
    email_key           TEXT NOT NULL,
    phone               TEXT NOT NULL DEFAULT '',
    address             TEXT NOT NULL DEFAULT '',
    city                TEXT NOT NULL DEFAULT '',
    province            TEXT NOT NULL DEFAULT '',
    postal_code         TEXT NOT NULL DEFAULT '',
    loyalty_points      INTEGER NOT NULL DEFAULT 0 CHECK (loyalty_points >= 0),
    total_orders        INTEGER NOT NULL DEFAULT 0 CHECK (total_orders >= 0),
    total_spent_minor   INTEGER NOT NULL DEFAULT 0 CHECK (total_spent_minor >= 0),
    notes               TEXT NOT NULL DEFAULT '',
    is_active           INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    search_text         TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    last_order_date     TEXT,
    opening_orders      INTEGER NOT NULL DEFAULT 0,
    opening_spent_minor INTEGER NOT NULL DEFAULT 0,
    tier                INTEGER NOT NULL DEFAULT 0,
    marketing_email     INTEGER NOT NULL DEFAULT 0 CHECK (marketing_email IN (0, 1)),
    marketing_sms       INTEGER NOT NULL DEFAULT 0 CHECK (marketing_sms IN (0, 1)),
    dup_email           TEXT,
    dup_phone           TEXT,
    dup_name            TEXT,
    UNIQUE (tenant_id, email_key)
);
INSERT INTO customers_new (id, tenant_id, name, name_key, email, email_key, phone, address, city, province,
    postal_code, loyalty_points, total_orders, total_spent_minor, notes, is_active, search_text, created_at,
    updated_at, last_order_date, opening_orders, opening_spent_minor, tier, marketing_email, marketing_sms)
SELECT id, tenant_id, name, name_key, email, email_key, phone, address, city, province,
    postal_code, loyalty_points, total_orders, total_spent_minor, notes, is_active, search_text, created_at,
    updated_at, last_order_date, opening_orders, opening_spent_minor, tier, marketing_email, marketing_sms
FROM customers;
DROP TABLE customers;
ALTER TABLE customers_new RENAME TO customers;

CREATE INDEX customers_by_created     ON customers (tenant_id, created_at);
CREATE INDEX customers_by_name        ON customers (tenant_id, name_key);
CREATE INDEX customers_by_points      ON customers (tenant_id, loyalty_points);
CREATE INDEX customers_by_orders      ON customers (tenant_id, total_orders);
CREATE INDEX customers_by_spent       ON customers (tenant_id, total_spent_minor);
CREATE INDEX customers_by_last_order  ON customers (tenant_id, last_order_date);
CREATE INDEX customers_by_status_points ON customers (tenant_id, is_active, loyalty_points);
CREATE INDEX customers_by_city        ON customers (tenant_id, city);
CREATE INDEX customers_by_province    ON customers (tenant_id, province);
CREATE INDEX customers_by_dup_email   ON customers (tenant_id, dup_email) WHERE dup_email IS NOT NULL;
CREATE INDEX customers_by_dup_phone   ON customers (tenant_id, dup_phone) WHERE dup_phone IS NOT NULL;
CREATE INDEX customers_by_dup_name    ON customers (tenant_id, dup_name) WHERE dup_name <> '';
CREATE INDEX customers_dup_keys_missing ON customers (id) WHERE dup_name IS NULL;

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, search_text)
    VALUES ('delete', OLD.id, OLD.search_text);
END;
CREATE TRIGGER customers_search_update AFTER UPDATE OF search_text ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, search_text)
    VALUES ('delete', OLD.id, OLD.search_text);
    INSERT INTO customers_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
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
CREATE TRIGGER customer_versions_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER customer_versions_update AFTER UPDATE ON customers BEGIN
    INSERT INTO customer_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER customer_versions_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customer_versions (tenant_id, version) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

-- Tier changes take the cause 'merge' (a merge or its undo moved the survivor's points).
CREATE TABLE tier_changes_new (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tier          INTEGER NOT NULL,
    previous_tier INTEGER,
    cause         TEXT NOT NULL CHECK (cause IN
        ('order', 'refund', 'manual', 'edit', 'create', 'expiry', 'program', 'import', 'merge')),
    changed_at    TEXT NOT NULL
);
INSERT INTO tier_changes_new SELECT * FROM tier_changes;
DROP TABLE tier_changes;
ALTER TABLE tier_changes_new RENAME TO tier_changes;
CREATE INDEX tier_changes_by_customer ON tier_changes (customer_id, id);

-- A merge: the survivor as it was, each absorbed customer as it was, and the rows that moved
-- from each absorbed customer to the survivor, as JSON the application reads back on undo.
CREATE TABLE merges (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    survivor_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    snapshot    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    actor_email TEXT NOT NULL,
    undone_at   TEXT
);
CREATE INDEX merges_by_survivor ON merges (tenant_id, survivor_id, id);

COMMIT;
PRAGMA foreign_keys = ON;
