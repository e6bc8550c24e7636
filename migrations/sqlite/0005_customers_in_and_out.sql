-- Marketing consent per channel, and every change of it (who, when, through what).
ALTER TABLE customers ADD COLUMN marketing_email INTEGER NOT NULL DEFAULT 0 CHECK (marketing_email IN (0, 1));
ALTER TABLE customers ADD COLUMN marketing_sms INTEGER NOT NULL DEFAULT 0 CHECK (marketing_sms IN (0, 1));

CREATE TABLE consent_changes (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    granted     INTEGER NOT NULL CHECK (granted IN (0, 1)),
    changed_at  TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('api', 'page', 'import')),
    actor_email TEXT NOT NULL
);
CREATE INDEX consent_changes_by_customer ON consent_changes (tenant_id, customer_id, id);
