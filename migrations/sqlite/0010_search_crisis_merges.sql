-- Issue #12, item 1 (writes). FTS5 merges a level's segments in small steps after each write once
-- `automerge` (16, migration 0009) of them share the level, but merges them all at once, inside
-- the write that brings the level to `crisismerge` segments, whose default is also 16. So the
-- steps never ran: each such write merged a whole level (about 17 MB at the second level of a
-- million-customer index) while every other write waited 200–250 ms behind it, which set the p99
-- of creates. With room up to 64, the small steps do the merging; a search reads at most 48 more
-- segments on a level whose merging has fallen behind.
INSERT INTO customers_search (customers_search, rank) VALUES ('crisismerge', 64);
