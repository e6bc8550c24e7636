-- Issue #12, item 1 (writes). Every write transaction that touches a customer's search text adds a
-- small segment to the trigram index, and FTS5 merges segments as it goes. With its default
-- (merge once four segments share a level) a million-customer index has many levels, and a
-- customer's create spent about 85% of its instructions merging them (callgrind, 2026-12-03).
-- Merging sixteen at a time halves the levels and so the merge work per write; a search reads at
-- most fifteen segments more per level, which measured no slower cold.
INSERT INTO customers_search (customers_search, rank) VALUES ('automerge', 16);
