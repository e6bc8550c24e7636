-- A per-tenant change counter, bumped in the same transaction as any change to the tenant's
-- customers. A cached list result is used only while the counter still has the value it was
-- computed at, so cached counts stay exact (across instances too: the counter is in the database).
CREATE TABLE customer_versions (
    tenant_id INTEGER PRIMARY KEY,
    version   INTEGER NOT NULL
);

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
