//! Browser sessions remembered between requests where this process is the only one that writes
//! them: on SQLite (one server process per database file) every session is created, saved and
//! deleted through this process, so a page view need not read its session row again. Only the
//! session row is remembered: the user it names is still read on every request, so a user
//! deactivated, signed out everywhere or given another role (also from the command line) is
//! refused at once.
//!
//! A remembered session stays true to the database:
//! - a write of a session forgets it once the write is done, so the next read sees the write;
//! - a read that began before a write was forgotten is not remembered (the generation counter),
//!   so a row read concurrently with a change never outlives it;
//! - a session is never served past its expiry (the housekeeping that deletes expired rows has
//!   nothing to tell this cache).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// How many sessions are remembered at most; past it, everything is forgotten and remembered
/// again as requests come.
const CAPACITY: usize = 10_000;

/// Session rows by id (see the module's documentation).
#[derive(Debug, Default)]
pub struct SessionCache {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Bumped whenever a session is forgotten.
    generation: u64,
    /// Data (JSON) and expiry (unix seconds) by session id.
    sessions: HashMap<String, (String, i64)>,
}

impl SessionCache {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state holds no invariant a panic could break halfway: keep using it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Session `id`'s data and expiry as last read, unless it has expired at `now`.
    pub fn get(&self, id: &str, now: i64) -> Option<(String, i64)> {
        let state = self.state();
        state.sessions.get(id).filter(|(_, expires_at)| *expires_at > now).cloned()
    }

    /// The generation to pass to [`SessionCache::remember`] for a read starting now.
    pub fn generation(&self) -> u64 {
        self.state().generation
    }

    /// Remembers session `id` as read after [`SessionCache::generation`] answered `generation`,
    /// unless a session was forgotten since (the read may predate that write).
    pub fn remember(&self, generation: u64, id: &str, data: &str, expires_at: i64) {
        let mut state = self.state();
        if state.generation != generation {
            return;
        }
        if state.sessions.len() >= CAPACITY {
            state.sessions.clear();
        }
        state.sessions.insert(id.to_owned(), (data.to_owned(), expires_at));
    }

    /// Forgets session `id`: it was just written or deleted.
    pub fn forget(&self, id: &str) {
        let mut state = self.state();
        state.generation += 1;
        state.sessions.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_session_is_served_until_it_expires() {
        let cache = SessionCache::default();
        cache.remember(cache.generation(), "a", "{}", 100);
        assert_eq!(cache.get("a", 99), Some(("{}".to_owned(), 100)));
        assert_eq!(cache.get("a", 100), None, "expired at its expiry");
        assert_eq!(cache.get("b", 0), None, "never read");
    }

    #[test]
    fn a_written_session_is_read_again() {
        let cache = SessionCache::default();
        cache.remember(cache.generation(), "a", "{\"v\":1}", 100);
        cache.remember(cache.generation(), "b", "{}", 100);
        cache.forget("a");
        assert_eq!(cache.get("a", 0), None);
        assert!(cache.get("b", 0).is_some(), "other sessions stay");
    }

    #[test]
    fn a_read_that_began_before_a_write_is_not_remembered() {
        let cache = SessionCache::default();
        let before_write = cache.generation();
        cache.forget("a");
        cache.remember(before_write, "a", "{\"old\":true}", 100);
        assert_eq!(cache.get("a", 0), None, "the row read may predate the write");
        cache.remember(cache.generation(), "a", "{\"new\":true}", 100);
        assert_eq!(cache.get("a", 0).map(|(data, _)| data), Some("{\"new\":true}".to_owned()));
    }
}
