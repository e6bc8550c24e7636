//! Remembers list results (count and page ids) per tenant, change counter and query. A result is
//! only ever looked up under the tenant's current change counter, so every count served is exact;
//! results of older counters are never asked for again and age out. Counting or searching a
//! million rows happens once per change, not once per request: concurrent misses of one query
//! wait for the first to compute it. The cache is bounded by the memory its entries take, and
//! each tenant has its own share: one tenant asking for endless new queries evicts only its own
//! results, never another tenant's.
//!
//! Beside its results, a tenant's share keeps its counter buckets and loyalty program as last
//! read, under the change counter read with them: every change of a customer (hence of the
//! counters) and every change of the program moves the counter, so they are exact for as long as
//! the counter has not moved. A tenant that never had a customer has no counter yet (it reads as
//! 0 and a program change does not move it): nothing is kept for it.

use super::CounterBucket;
use crate::domain::customer_query::{CustomerFilter, Ordering};
use crate::domain::LoyaltyProgram;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering as Atomic};
use std::sync::{Arc, Mutex, PoisonError};

/// How many bytes of keys and ids one tenant's results may hold.
const TENANT_BUDGET: u64 = 512 * 1024;
/// How many tenants' results are kept (the least recently used tenant's go first): with
/// [`TENANT_BUDGET`], at most 16 MiB in all.
const TENANTS: usize = 32;
/// How many entries a tenant's share is sized for up front.
const EXPECTED_ENTRIES: usize = 512;

/// What identifies one list result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListKey {
    tenant_id: i64,
    /// The tenant's change counter when the result was computed.
    version: i64,
    search: Option<String>,
    is_active: Option<bool>,
    tier: Option<i64>,
    city: Option<String>,
    province: Option<String>,
    ordering: (u8, bool),
    offset: u64,
    limit: u64,
}

impl ListKey {
    /// The key of a list request at the tenant's change counter `version`.
    pub fn new(
        tenant_id: i64,
        version: i64,
        filter: &CustomerFilter,
        ordering: Ordering,
        offset: u64,
        limit: u64,
    ) -> Self {
        ListKey {
            tenant_id,
            version,
            search: filter.search.as_ref().map(|s| s.trim().to_lowercase()),
            is_active: filter.is_active,
            tier: filter.tier.map(|t| t.rank()),
            city: filter.city.clone(),
            province: filter.province.clone(),
            ordering: (ordering.field as u8, ordering.descending),
            offset,
            limit,
        }
    }

    fn bytes(&self) -> u64 {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        (size_of::<Self>() + text(&self.search) + text(&self.city) + text(&self.province)) as u64
    }
}

/// A cached result: the count and the page's ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedList {
    /// Matching rows.
    pub count: u64,
    /// The page's ids, in order.
    pub ids: Vec<i64>,
}

/// Weighs an entry by the memory it holds.
#[derive(Clone, Copy, Debug, Default)]
pub struct ByMemory;

impl Weighter<ListKey, CachedList> for ByMemory {
    fn weight(&self, key: &ListKey, value: &CachedList) -> u64 {
        key.bytes() + (size_of::<CachedList>() + value.ids.len() * size_of::<i64>()) as u64
    }
}

/// One tenant's results, the change counter its last list request read, and its counters.
struct TenantShare {
    results: Cache<ListKey, CachedList, ByMemory>,
    /// [`NO_VERSION`] until a version is seen.
    last_version: AtomicI64,
    /// The newest counter buckets and program read.
    counters: Mutex<Option<CachedCounters>>,
}

/// A tenant's counter buckets and program, read at a change counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedCounters {
    /// The change counter they were read at.
    pub version: i64,
    /// The counter buckets.
    pub buckets: Vec<CounterBucket>,
    /// The loyalty program.
    pub program: LoyaltyProgram,
}

/// What [`TenantShare::last_version`] holds before any version was seen.
const NO_VERSION: i64 = i64::MIN;

/// The cache (one per storage; shared by its connections): a share per tenant.
pub struct ListCache {
    tenants: Cache<i64, Arc<TenantShare>>,
}

impl Default for ListCache {
    fn default() -> Self {
        ListCache { tenants: Cache::new(TENANTS) }
    }
}

impl std::fmt::Debug for ListCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListCache").field("tenants", &self.tenants.len()).finish()
    }
}

impl ListCache {
    /// The result for `key`, computed by `compute` if it is not cached; concurrent callers with
    /// the same key wait for one computation.
    pub async fn get_or_compute<E>(
        &self,
        key: &ListKey,
        compute: impl Future<Output = Result<CachedList, E>>,
    ) -> Result<CachedList, E> {
        let share = self.share(key.tenant_id);
        share.last_version.store(key.version, Atomic::Relaxed);
        share.results.get_or_insert_async(key, compute).await
    }

    fn share(&self, tenant_id: i64) -> Arc<TenantShare> {
        let share = self.tenants.get_or_insert_with(&tenant_id, || {
            Ok::<_, std::convert::Infallible>(Arc::new(TenantShare {
                results: Cache::with_weighter(EXPECTED_ENTRIES, TENANT_BUDGET, ByMemory),
                last_version: AtomicI64::new(NO_VERSION),
                counters: Mutex::default(),
            }))
        });
        match share {
            Ok(share) => share,
            Err(never) => match never {},
        }
    }

    /// The tenant's counter buckets and program if they were read at change counter `version`
    /// (never at 0: nothing is kept there, see [`ListCache::remember_counters`]).
    pub fn counters_at(&self, tenant_id: i64, version: i64) -> Option<CachedCounters> {
        let share = self.tenants.get(&tenant_id)?;
        let kept = share.counters.lock().unwrap_or_else(PoisonError::into_inner);
        kept.as_ref().filter(|kept| kept.version == version).cloned()
    }

    /// Keeps the tenant's counter buckets and program read at `counters.version`, unless newer
    /// ones are kept already (or the tenant has no counter yet).
    pub fn remember_counters(&self, tenant_id: i64, counters: CachedCounters) {
        if counters.version <= 0 {
            return;
        }
        let share = self.share(tenant_id);
        let mut kept = share.counters.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.as_ref().is_none_or(|kept| kept.version < counters.version) {
            *kept = Some(counters);
        }
    }

    /// The change counter the tenant's last list request read, if any was.
    pub fn last_version(&self, tenant_id: i64) -> Option<i64> {
        let version = self.tenants.get(&tenant_id)?.last_version.load(Atomic::Relaxed);
        (version != NO_VERSION).then_some(version)
    }

    /// The result for `key` if it is cached (nothing is computed).
    pub fn cached(&self, key: &ListKey) -> Option<CachedList> {
        self.tenants.get(&key.tenant_id)?.results.get(key)
    }

    /// The memory held by one tenant's results, in bytes.
    #[cfg(test)]
    fn tenant_weight(&self, tenant_id: i64) -> u64 {
        self.tenants.get(&tenant_id).map_or(0, |share| share.results.weight())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering as Atomic};

    fn key(tenant_id: i64, version: i64, offset: u64) -> ListKey {
        ListKey::new(tenant_id, version, &CustomerFilter::default(), Ordering::default(), offset, 10)
    }

    async fn compute(runs: &AtomicUsize, count: u64) -> Result<CachedList, ()> {
        runs.fetch_add(1, Atomic::SeqCst);
        Ok(CachedList { count, ids: vec![1, 2, 3] })
    }

    #[tokio::test]
    async fn a_result_is_served_only_at_the_version_it_was_computed_at() {
        let cache = ListCache::default();
        let runs = AtomicUsize::new(0);
        assert_eq!(cache.get_or_compute(&key(1, 7, 0), compute(&runs, 3)).await.map(|c| c.count), Ok(3));
        assert_eq!(cache.get_or_compute(&key(1, 7, 0), compute(&runs, 4)).await.map(|c| c.count), Ok(3));
        assert_eq!(cache.get_or_compute(&key(1, 8, 0), compute(&runs, 5)).await.map(|c| c.count), Ok(5));
        assert_eq!(cache.get_or_compute(&key(2, 7, 0), compute(&runs, 6)).await.map(|c| c.count), Ok(6));
        assert_eq!(runs.load(Atomic::SeqCst), 3);
    }

    #[tokio::test]
    async fn the_last_version_read_names_the_results_that_may_still_be_current() {
        let cache = ListCache::default();
        let runs = AtomicUsize::new(0);
        assert_eq!(cache.last_version(1), None);
        cache.get_or_compute(&key(1, 7, 0), compute(&runs, 3)).await.ok();
        assert_eq!(cache.last_version(1), Some(7));
        assert_eq!(cache.cached(&key(1, 7, 0)).map(|c| c.count), Some(3));
        assert_eq!(cache.cached(&key(1, 7, 10)), None, "another page was never computed");
        cache.get_or_compute(&key(1, 8, 0), compute(&runs, 4)).await.ok();
        assert_eq!(cache.last_version(1), Some(8));
        assert_eq!(cache.last_version(2), None, "each tenant has its own");
    }

    fn counters(version: i64, customers: i64) -> CachedCounters {
        let bucket = CounterBucket { is_active: true, tier: crate::domain::LoyaltyTier::Bronze, customers, points: 0 };
        CachedCounters { version, buckets: vec![bucket], program: LoyaltyProgram::default() }
    }

    #[test]
    fn counters_are_served_only_at_the_change_counter_they_were_read_at() {
        let cache = ListCache::default();
        assert_eq!(cache.counters_at(1, 7), None);
        cache.remember_counters(1, counters(7, 3));
        assert_eq!(cache.counters_at(1, 7), Some(counters(7, 3)));
        assert_eq!(cache.counters_at(1, 8), None, "the tenant changed since");
        assert_eq!(cache.counters_at(2, 7), None, "each tenant has its own");
        cache.remember_counters(1, counters(6, 2));
        assert_eq!(cache.counters_at(1, 7), Some(counters(7, 3)), "an older read never replaces a newer one");
        cache.remember_counters(1, counters(8, 4));
        assert_eq!(cache.counters_at(1, 8), Some(counters(8, 4)));
    }

    #[test]
    fn nothing_is_kept_for_a_tenant_without_a_change_counter() {
        let cache = ListCache::default();
        cache.remember_counters(1, counters(0, 0));
        assert_eq!(cache.counters_at(1, 0), None, "a program change does not move a counter that is not there");
    }

    #[tokio::test]
    async fn concurrent_misses_of_one_query_compute_it_once() {
        let cache = ListCache::default();
        let runs = AtomicUsize::new(0);
        let slow = || async {
            runs.fetch_add(1, Atomic::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Ok::<_, ()>(CachedList { count: 1, ids: vec![1] })
        };
        let k = key(1, 1, 0);
        let (a, b) = tokio::join!(cache.get_or_compute(&k, slow()), cache.get_or_compute(&k, slow()));
        assert_eq!((a, b.map(|c| c.count)), (Ok(CachedList { count: 1, ids: vec![1] }), Ok(1)));
        assert_eq!(runs.load(Atomic::SeqCst), 1);
    }

    #[tokio::test]
    async fn one_tenant_flooding_the_cache_stays_in_its_share_and_evicts_no_other_tenants_results() {
        let cache = ListCache::default();
        let runs = AtomicUsize::new(0);
        cache.get_or_compute(&key(2, 1, 0), compute(&runs, 9)).await.ok();
        let page = (0..100).collect::<Vec<i64>>();
        for offset in 0..50_000 {
            let value = CachedList { count: 1, ids: page.clone() };
            let _ = cache.get_or_compute(&key(1, 1, offset), async { Ok::<_, ()>(value) }).await;
        }
        assert!(cache.tenant_weight(1) <= TENANT_BUDGET, "{} bytes", cache.tenant_weight(1));
        assert_eq!(cache.get_or_compute(&key(2, 1, 0), compute(&runs, 10)).await.map(|c| c.count), Ok(9));
        assert_eq!(runs.load(Atomic::SeqCst), 1, "tenant 2's result was kept");
    }
}
