-- Issue #12, item 9 (cold search). The trigram index now keeps positions (detail = full), so a term
-- of three characters or more is matched as a phrase of its trigrams: exactly, from the index
-- alone, with no customer row to read. It also indexes the customer's tenant as a tag of three
-- characters (three CJK ideographs spelling the tenant's id in base 20,992), so that a search's
-- count is one query of the index: the term's phrase AND the tenant's tag.
ALTER TABLE customers ADD COLUMN search_tenant TEXT GENERATED ALWAYS AS (
    char(19968 + tenant_id % 20992) || char(19968 + (tenant_id / 20992) % 20992)
        || char(19968 + (tenant_id / 440664064) % 20992)
) VIRTUAL;

DROP TRIGGER customers_search_insert;
DROP TRIGGER customers_search_delete;
DROP TRIGGER customers_search_update;
DROP TABLE customers_search;

CREATE VIRTUAL TABLE customers_search USING fts5 (
    search_text, search_tenant, content = 'customers', content_rowid = 'id', tokenize = 'trigram', detail = 'full'
);
INSERT INTO customers_search (customers_search) VALUES ('rebuild');

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search (rowid, search_text, search_tenant) VALUES (NEW.id, NEW.search_text, NEW.search_tenant);
END;
CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, search_text, search_tenant)
    VALUES ('delete', OLD.id, OLD.search_text, OLD.search_tenant);
END;
CREATE TRIGGER customers_search_update AFTER UPDATE OF search_text ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, search_text, search_tenant)
    VALUES ('delete', OLD.id, OLD.search_text, OLD.search_tenant);
    INSERT INTO customers_search (rowid, search_text, search_tenant) VALUES (NEW.id, NEW.search_text, NEW.search_tenant);
END;
