//! Remembers list results (count and page ids) per tenant and query, valid only while the
//! tenant's change counter is unchanged. Counting or searching a million rows happens once per
//! change, not once per request, and every count served is exact.

use crate::domain::customer_query::{CustomerFilter, Ordering};
use std::collections::HashMap;
use std::sync::Mutex;

/// How many results are kept; the oldest half is dropped when full.
const CAPACITY: usize = 4_096;

/// What identifies one list result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListKey {
    /// The tenant.
    pub tenant_id: i64,
    /// The filter.
    pub filter: FilterKey,
    /// The ordering.
    pub ordering: (u8, bool),
    /// Offset and limit.
    pub window: (u64, u64),
}

/// A filter as a hashable key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FilterKey(Option<String>, Option<bool>, Option<u8>, Option<String>, Option<String>);

impl ListKey {
    /// The key of a list request.
    pub fn new(tenant_id: i64, filter: &CustomerFilter, ordering: Ordering, offset: u64, limit: u64) -> Self {
        ListKey {
            tenant_id,
            filter: FilterKey(
                filter.search.as_ref().map(|s| s.trim().to_lowercase()),
                filter.is_active,
                filter.tier.map(|t| t.rank() as u8),
                filter.city.clone(),
                filter.province.clone(),
            ),
            ordering: (ordering.field as u8, ordering.descending),
            window: (offset, limit),
        }
    }
}

/// A cached result: the tenant version it was computed at, the count and the page's ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedList {
    /// The tenant's change counter when computed.
    pub version: i64,
    /// Matching rows.
    pub count: u64,
    /// The page's ids, in order.
    pub ids: Vec<i64>,
}

/// The cache (one per storage; shared by its connections).
#[derive(Debug, Default)]
pub struct ListCache {
    entries: Mutex<HashMap<ListKey, (u64, CachedList)>>,
    computing: Mutex<HashMap<ListKey, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    tick: std::sync::atomic::AtomicU64,
}

impl ListCache {
    /// A lock per key, so that concurrent misses of one query compute it once while the others
    /// wait for the result instead of repeating the work.
    pub fn computing(&self, key: &ListKey) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let Ok(mut computing) = self.computing.lock() else {
            return std::sync::Arc::default();
        };
        if computing.len() >= CAPACITY {
            computing.retain(|_, lock| std::sync::Arc::strong_count(lock) > 1);
        }
        computing.entry(key.clone()).or_default().clone()
    }

    /// The result for `key` if it was computed at `version`.
    pub fn get(&self, key: &ListKey, version: i64) -> Option<CachedList> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|(_, cached)| cached.version == version).map(|(_, cached)| cached.clone())
    }

    /// Stores a result.
    pub fn put(&self, key: ListKey, value: CachedList) {
        let tick = self.tick.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= CAPACITY {
            let mut ages: Vec<u64> = entries.values().map(|(age, _)| *age).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            entries.retain(|_, (age, _)| *age > cutoff);
        }
        entries.insert(key, (tick, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_served_only_at_the_version_it_was_computed_at() {
        let cache = ListCache::default();
        let key = ListKey::new(1, &CustomerFilter::default(), Ordering::default(), 0, 10);
        cache.put(key.clone(), CachedList { version: 7, count: 3, ids: vec![1, 2, 3] });
        assert_eq!(cache.get(&key, 7).map(|c| c.count), Some(3));
        assert_eq!(cache.get(&key, 8), None);
        let other_tenant = ListKey { tenant_id: 2, ..key };
        assert_eq!(cache.get(&other_tenant, 7), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = ListCache::default();
        for offset in 0..(CAPACITY as u64 * 3) {
            let key = ListKey::new(1, &CustomerFilter::default(), Ordering::default(), offset, 10);
            cache.put(key, CachedList { version: 1, count: 0, ids: Vec::new() });
        }
        assert!(cache.entries.lock().map(|e| e.len()).unwrap_or(0) <= CAPACITY);
    }
}
