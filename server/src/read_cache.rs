//! Short-lived copies of what every signed-in page view reads (its session, its user, the
//! learner's standing on a lesson), so a page view need not ask the database each time.
//!
//! The rules that keep a copy honest:
//! - a copy is used for [`FRESH`] at most, so a change made by another app server or by the
//!   command line is seen within that time;
//! - any request of this app server that may change something (every method but GET and
//!   HEAD), and every session write, moves the [`Epoch`] on once it is done; a copy taken
//!   under an older epoch is never used again, and a copy read before the move is never kept
//!   after it (see [`ReadCache::put`]);
//! - a request that may change something (every method but GET and HEAD) reads none: it
//!   runs inside [`from_database`], so the checks that decide a write (who is asking, their
//!   role, their session) read the database.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

tokio::task_local! {
    /// Set for a request that may change something: its reads skip every copy.
    static FROM_DATABASE: ();
}

/// Runs `work` (a request that may change something) with every copy skipped.
pub async fn from_database<F: std::future::Future>(work: F) -> F::Output {
    FROM_DATABASE.scope((), work).await
}

fn reading_from_database() -> bool {
    FROM_DATABASE.try_with(|_| ()).is_ok()
}

/// How long a copy is used at most.
pub const FRESH: Duration = Duration::from_secs(2);

/// How many copies a cache keeps at most; it is emptied when full.
const MAX_ENTRIES: usize = 65_536;

/// The longest key text a cache keeps (slugs are far shorter): a long made-up address is
/// read from the database every time rather than kept.
pub const MAX_KEY_TEXT: usize = 200;

/// Moves on after every change this app server makes; shared by the caches of one app.
#[derive(Debug, Clone, Default)]
pub struct Epoch(Arc<AtomicU64>);

impl Epoch {
    /// The epoch now: take it before reading what [`ReadCache::put`] will keep.
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Called after a change is committed: every copy taken before is dropped.
    pub fn changed(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// Copies by key, each with the epoch and the moment it was read. A key that was
/// [`ReadCache::forget`]ten keeps a count of its changes, so a read that began before one
/// is not kept after it.
#[derive(Debug)]
pub struct ReadCache<K, V> {
    epoch: Epoch,
    entries: Mutex<HashMap<K, Entry<V>>>,
}

#[derive(Debug)]
struct Entry<V> {
    value: Option<(V, Instant, u64)>,
    changes: u64,
}

/// What a read saw before it asked the database: the epoch and its key's changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    epoch: u64,
    changes: u64,
}

impl<K: Eq + Hash, V: Clone> ReadCache<K, V> {
    pub fn new(epoch: &Epoch) -> Self {
        Self {
            epoch: epoch.clone(),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<K, Entry<V>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What to hand to [`Self::put`], taken before the database is read.
    pub fn ticket(&self, key: &K) -> Ticket {
        let entries = self.entries();
        Ticket {
            epoch: self.epoch.current(),
            changes: entries.get(key).map_or(0, |e| e.changes),
        }
    }

    /// The copy under `key`, if it was read in this epoch less than [`FRESH`] ago.
    pub fn get(&self, key: &K) -> Option<V> {
        if reading_from_database() {
            return None;
        }
        let epoch = self.epoch.current();
        self.entries()
            .get(key)
            .and_then(|e| e.value.as_ref())
            .filter(|(_, at, taken)| *taken == epoch && at.elapsed() < FRESH)
            .map(|(value, _, _)| value.clone())
    }

    /// Keeps `value`, read after `ticket` was taken, unless something changed since.
    pub fn put(&self, key: K, value: V, ticket: Ticket) {
        let mut entries = self.entries();
        // Under the lock: a change after this check drops the copy by its epoch or count.
        let changes = entries.get(&key).map_or(0, |e| e.changes);
        if self.epoch.current() != ticket.epoch || changes != ticket.changes {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            // The counts go with the copies: the epoch moves on so that no read begun
            // before is kept.
            entries.clear();
            self.epoch.changed();
            return;
        }
        entries.insert(
            key,
            Entry {
                value: Some((value, Instant::now(), ticket.epoch)),
                changes,
            },
        );
    }

    /// Called after `key`'s record changed: its copy is dropped, and a read begun before is
    /// not kept.
    pub fn forget(&self, key: K) {
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
            self.epoch.changed();
        }
        let entry = entries.entry(key).or_insert(Entry {
            value: None,
            changes: 0,
        });
        entry.value = None;
        entry.changes += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_used_until_something_changes() {
        let epoch = Epoch::default();
        let cache = ReadCache::<u32, &str>::new(&epoch);
        let ticket = cache.ticket(&1);
        cache.put(1, "read", ticket);
        assert_eq!(cache.get(&1), Some("read"));
        epoch.changed();
        assert_eq!(cache.get(&1), None, "a change drops every copy");
    }

    #[test]
    fn a_copy_read_before_a_change_is_not_kept_after_it() {
        let epoch = Epoch::default();
        let cache = ReadCache::<u32, &str>::new(&epoch);
        let ticket = cache.ticket(&1);
        // The database is read here; a change commits meanwhile.
        epoch.changed();
        cache.put(1, "stale", ticket);
        assert_eq!(cache.get(&1), None);
        let ticket = cache.ticket(&1);
        cache.put(1, "fresh", ticket);
        assert_eq!(cache.get(&1), Some("fresh"));
    }

    #[tokio::test]
    async fn a_request_that_may_change_something_reads_no_copy() {
        let epoch = Epoch::default();
        let cache = ReadCache::<u32, &str>::new(&epoch);
        let ticket = cache.ticket(&1);
        cache.put(1, "copy", ticket);
        assert_eq!(from_database(async { cache.get(&1) }).await, None);
        assert_eq!(cache.get(&1), Some("copy"));
    }

    #[test]
    fn a_record_written_is_read_again() {
        let epoch = Epoch::default();
        let cache = ReadCache::<u32, &str>::new(&epoch);
        let before_write = cache.ticket(&1);
        cache.put(1, "old", before_write);
        // A read begins, then the record is written: the read's copy is not kept.
        let reading = cache.ticket(&1);
        cache.forget(1);
        assert_eq!(cache.get(&1), None);
        cache.put(1, "old", reading);
        assert_eq!(cache.get(&1), None);
        // Another key is not affected.
        let other = cache.ticket(&2);
        cache.put(2, "two", other);
        assert_eq!(cache.get(&2), Some("two"));
        let after = cache.ticket(&1);
        cache.put(1, "new", after);
        assert_eq!(cache.get(&1), Some("new"));
    }
}
