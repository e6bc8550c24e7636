//! The users that requests act as, remembered between requests where reading one is a round trip
//! to another process (PostgreSQL). Every request checks its token's or session's user (still
//! active, same auth version, same tenant); on PostgreSQL that read was half the round trips of
//! the cheapest requests.
//!
//! A remembered user is only trusted while a change of that user made anywhere reaches this
//! cache:
//! - a change made through this process forgets the user before the change's answer is sent;
//! - a change made through another process (another instance, the command line) is announced by
//!   its transaction (`NOTIFY`, delivered when it commits) and forgotten when the announcement
//!   arrives, normally within a millisecond;
//! - while no listener is subscribed to those announcements (at start, or the database out of
//!   reach), nothing is remembered or served from here, and everything is forgotten when a
//!   listener subscribes again;
//! - a read that began before a change was forgotten is not remembered (the generation counter),
//!   so an old row read concurrently with a change never outlives it;
//! - and, should an announcement still be lost, a user is read again after [`FRESH_FOR`].

use super::User;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a remembered user is served without reading it again.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

/// How many users are remembered at most (staff of every tenant sharing the process); past it,
/// everything is forgotten and remembered again as requests come.
const CAPACITY: usize = 10_000;

/// Users by id, with what keeps them current (see the module's documentation).
#[derive(Debug, Default)]
pub struct UserCache {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Whether changes made elsewhere reach this cache (a listener is subscribed).
    live: bool,
    /// Bumped whenever anything is forgotten.
    generation: u64,
    users: HashMap<i64, (User, Instant)>,
}

impl UserCache {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state holds no invariant a panic could break halfway: keep using it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The user `id` as last read, if it may be trusted.
    pub fn get(&self, id: i64) -> Option<User> {
        let state = self.state();
        let (user, read_at) = state.users.get(&id).filter(|_| state.live)?;
        (read_at.elapsed() < FRESH_FOR).then(|| user.clone())
    }

    /// The generation to pass to [`UserCache::remember`] for a read starting now; `None` when
    /// nothing can be remembered (no listener).
    pub fn generation(&self) -> Option<u64> {
        let state = self.state();
        state.live.then_some(state.generation)
    }

    /// Remembers `user`, read after [`UserCache::generation`] answered `generation`, unless
    /// something was forgotten since (the read may predate that change) or no listener is
    /// subscribed.
    pub fn remember(&self, generation: u64, user: User) {
        let mut state = self.state();
        if !state.live || state.generation != generation {
            return;
        }
        if state.users.len() >= CAPACITY {
            state.users.clear();
        }
        state.users.insert(user.id, (user, Instant::now()));
    }

    /// Forgets user `id`: it changed, or may have.
    pub fn forget(&self, id: i64) {
        let mut state = self.state();
        state.generation += 1;
        state.users.remove(&id);
    }

    /// Says whether changes made elsewhere reach this cache from now on; either way, forgets
    /// every user (announcements may have been missed).
    pub fn set_live(&self, live: bool) {
        let mut state = self.state();
        state.live = live;
        state.generation += 1;
        state.users.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use crate::storage::PasswordHash;

    fn user(id: i64, role: Role) -> User {
        User {
            id,
            tenant_id: 1,
            tenant_name: "Tenant".to_owned(),
            email: format!("user{id}@example.test"),
            password_hash: PasswordHash("hash".to_owned()),
            role,
            is_active: true,
            auth_version: 1,
            created_at: chrono::Utc::now(),
            last_sign_in_at: None,
        }
    }

    fn live_cache() -> UserCache {
        let cache = UserCache::default();
        cache.set_live(true);
        cache
    }

    #[test]
    fn nothing_is_remembered_or_served_while_no_listener_is_subscribed() {
        let cache = UserCache::default();
        assert_eq!(cache.generation(), None);
        cache.remember(0, user(1, Role::Owner));
        assert_eq!(cache.get(1), None);

        let cache = live_cache();
        let generation = cache.generation().expect("live");
        cache.remember(generation, user(1, Role::Owner));
        assert!(cache.get(1).is_some());
        cache.set_live(false);
        assert_eq!(cache.get(1), None, "a lost listener stops serving at once");
        cache.set_live(true);
        assert_eq!(cache.get(1), None, "and what was remembered before is gone");
    }

    #[test]
    fn a_forgotten_user_is_read_again() {
        let cache = live_cache();
        let generation = cache.generation().expect("live");
        cache.remember(generation, user(1, Role::Owner));
        cache.remember(generation, user(2, Role::Cashier));
        cache.forget(1);
        assert_eq!(cache.get(1), None);
        assert_eq!(cache.get(2).map(|u| u.role), Some(Role::Cashier), "other users stay");
    }

    #[test]
    fn a_read_that_began_before_a_change_was_forgotten_is_not_remembered() {
        let cache = live_cache();
        let before_change = cache.generation().expect("live");
        cache.forget(1);
        cache.remember(before_change, user(1, Role::Owner));
        assert_eq!(cache.get(1), None, "the row read may predate the change");
        let after_change = cache.generation().expect("live");
        cache.remember(after_change, user(1, Role::Cashier));
        assert_eq!(cache.get(1).map(|u| u.role), Some(Role::Cashier));
    }
}
