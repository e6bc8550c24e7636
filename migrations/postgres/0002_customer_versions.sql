-- A per-tenant change counter, bumped in the same transaction as any change to the tenant's
-- customers. A cached list result is used only while the counter still has the value it was
-- computed at, so cached counts stay exact (across instances too: the counter is in the database).
CREATE TABLE customer_versions (
    tenant_id BIGINT PRIMARY KEY,
    version   BIGINT NOT NULL
);

CREATE FUNCTION customer_versions_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_versions (tenant_id, version)
    SELECT DISTINCT tenant_id, 1 FROM changed
    ON CONFLICT (tenant_id) DO UPDATE SET version = customer_versions.version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER customer_versions_insert AFTER INSERT ON customers
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION customer_versions_bump();
CREATE TRIGGER customer_versions_update AFTER UPDATE ON customers
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION customer_versions_bump();
CREATE TRIGGER customer_versions_delete AFTER DELETE ON customers
REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION customer_versions_bump();
