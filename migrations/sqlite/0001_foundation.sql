-- Patron schema conventions: tenant_id on every tenant-owned row; timestamps are UTC RFC 3339
-- text written by the application (never SQL defaults, so they sort as text); money is integer
-- minor units (cents); points are integers.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE tenants (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'cashier')),
    is_active     INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    auth_version  INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX users_by_tenant ON users (tenant_id, id);

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
    id        INTEGER PRIMARY KEY,
    email_key TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX login_failures_by_email ON login_failures (email_key, failed_at);

CREATE TABLE customers (
    id                INTEGER PRIMARY KEY,
    tenant_id         INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    name_key          TEXT NOT NULL,
    email             TEXT NOT NULL,
    email_key         TEXT NOT NULL,
    phone             TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    city              TEXT NOT NULL DEFAULT '',
    province          TEXT NOT NULL DEFAULT '',
    postal_code       TEXT NOT NULL DEFAULT '',
    loyalty_points    INTEGER NOT NULL DEFAULT 0 CHECK (loyalty_points >= 0),
    total_orders      INTEGER NOT NULL DEFAULT 0 CHECK (total_orders >= 0),
    total_spent_minor INTEGER NOT NULL DEFAULT 0 CHECK (total_spent_minor >= 0),
    notes             TEXT NOT NULL DEFAULT '',
    is_active         INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    search_text       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    last_order_date   TEXT,
    UNIQUE (tenant_id, email_key)
);
-- One index per ordering field; the rowid (id) is the last key of every SQLite index, which is
-- the tie-breaker every ordered query ends with.
CREATE INDEX customers_by_created     ON customers (tenant_id, created_at);
CREATE INDEX customers_by_name        ON customers (tenant_id, name_key);
CREATE INDEX customers_by_points      ON customers (tenant_id, loyalty_points);
CREATE INDEX customers_by_orders      ON customers (tenant_id, total_orders);
CREATE INDEX customers_by_spent       ON customers (tenant_id, total_spent_minor);
CREATE INDEX customers_by_last_order  ON customers (tenant_id, last_order_date);
CREATE INDEX customers_by_status_points ON customers (tenant_id, is_active, loyalty_points);
CREATE INDEX customers_by_city        ON customers (tenant_id, city);
CREATE INDEX customers_by_province    ON customers (tenant_id, province);

-- Substring search over name, email and phone (see search_text in the storage code). The index
-- keeps no positions (detail=none): it narrows the candidates to rows holding every trigram of the
-- term, and the query then checks the exact substring on those rows.
CREATE VIRTUAL TABLE customers_search USING fts5 (
    search_text, content = 'customers', content_rowid = 'id', tokenize = 'trigram', detail = 'none'
);
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

-- Exact counts without counting: one row per tenant, status and tier (0 bronze .. 3 platinum),
-- kept by triggers in the same transaction as the change.
CREATE TABLE customer_counters (
    tenant_id INTEGER NOT NULL,
    is_active INTEGER NOT NULL,
    tier      INTEGER NOT NULL,
    customers INTEGER NOT NULL,
    points    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, is_active, tier)
) WITHOUT ROWID;

CREATE TRIGGER customer_counters_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_counters (tenant_id, is_active, tier, customers, points)
    VALUES (NEW.tenant_id, NEW.is_active,
            CASE WHEN NEW.loyalty_points >= 1000 THEN 3 WHEN NEW.loyalty_points >= 500 THEN 2
                 WHEN NEW.loyalty_points >= 100 THEN 1 ELSE 0 END,
            1, NEW.loyalty_points)
    ON CONFLICT (tenant_id, is_active, tier)
    DO UPDATE SET customers = customers + 1, points = points + excluded.points;
END;
CREATE TRIGGER customer_counters_delete AFTER DELETE ON customers BEGIN
    UPDATE customer_counters SET customers = customers - 1, points = points - OLD.loyalty_points
    WHERE tenant_id = OLD.tenant_id AND is_active = OLD.is_active
      AND tier = CASE WHEN OLD.loyalty_points >= 1000 THEN 3 WHEN OLD.loyalty_points >= 500 THEN 2
                      WHEN OLD.loyalty_points >= 100 THEN 1 ELSE 0 END;
END;
CREATE TRIGGER customer_counters_update AFTER UPDATE OF is_active, loyalty_points ON customers
WHEN OLD.is_active IS NOT NEW.is_active OR OLD.loyalty_points IS NOT NEW.loyalty_points BEGIN
    UPDATE customer_counters SET customers = customers - 1, points = points - OLD.loyalty_points
    WHERE tenant_id = OLD.tenant_id AND is_active = OLD.is_active
      AND tier = CASE WHEN OLD.loyalty_points >= 1000 THEN 3 WHEN OLD.loyalty_points >= 500 THEN 2
                      WHEN OLD.loyalty_points >= 100 THEN 1 ELSE 0 END;
    INSERT INTO customer_counters (tenant_id, is_active, tier, customers, points)
    VALUES (NEW.tenant_id, NEW.is_active,
            CASE WHEN NEW.loyalty_points >= 1000 THEN 3 WHEN NEW.loyalty_points >= 500 THEN 2
                 WHEN NEW.loyalty_points >= 100 THEN 1 ELSE 0 END,
            1, NEW.loyalty_points)
    ON CONFLICT (tenant_id, is_active, tier)
    DO UPDATE SET customers = customers + 1, points = points + excluded.points;
END;

-- Every change of a customer's points, written in the same transaction as the change.
CREATE TABLE points_ledger (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    delta         INTEGER NOT NULL,
    balance_after INTEGER NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL CHECK (source IN ('manual', 'edit', 'create')),
    user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX points_ledger_by_customer ON points_ledger (customer_id, id);

-- Responses remembered for Idempotency-Key retries (24 hours).
CREATE TABLE idempotency_keys (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
) WITHOUT ROWID;
