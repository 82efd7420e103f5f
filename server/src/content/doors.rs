//! The two doors an activity comes through, `content/` and the studio, and the rule that
//! keeps either from losing the other's edits. A folder is read at every start; what its
//! files are (their hash) is compared with what they were when last read (`folder_hash`) and
//! with the live revision:
//!
//! - the files did not change since they were last read: nothing happens, whatever the
//!   studio published meanwhile stands;
//! - they changed, and the live revision is still the one the folder last gave (or there is
//!   none, or it already has these very files): the folder's files are published;
//! - they changed, and the live revision came from elsewhere (the studio published since
//!   the folder was last read, or the activity was born in the studio): nothing is
//!   published; the folder's files are held as a conflict, reported at start-up and shown
//!   in the studio until an owner or administrator chooses one side.
//!
//! A folder that disappears retires its activity only while the folder is what the live
//! revision came from; an activity the studio published is never retired by a missing
//! folder.

/// What reading a folder does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Unchanged,
    Publish,
    Conflict,
}

/// The rule above: `folder_then` is the hash the folder had when last read, `live` the live
/// revision's, `folder_now` the folder's files now.
pub fn decide(folder_then: Option<&str>, live: Option<&str>, folder_now: &str) -> Decision {
    if folder_then == Some(folder_now) {
        return Decision::Unchanged;
    }
    match live {
        None => Decision::Publish,
        Some(live) if live == folder_now => Decision::Publish,
        Some(live) if folder_then == Some(live) => Decision::Publish,
        Some(_) => Decision::Conflict,
    }
}

/// Whether a folder that is gone retires its activity: only when the live revision is the
/// folder's.
pub fn retires(folder_then: Option<&str>, live: Option<&str>) -> bool {
    folder_then.is_some() && folder_then == live
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_publishes_only_over_its_own_revision() {
        // New activity.
        assert_eq!(decide(None, None, "a"), Decision::Publish);
        // The folder changed and the live revision is the folder's last.
        assert_eq!(decide(Some("a"), Some("a"), "b"), Decision::Publish);
        // Unchanged folder, whatever is live.
        assert_eq!(decide(Some("a"), Some("s"), "a"), Decision::Unchanged);
        // The studio published (live "s") and the folder changed too: held back.
        assert_eq!(decide(Some("a"), Some("s"), "b"), Decision::Conflict);
        // Born in the studio, then a folder of the same name appears.
        assert_eq!(decide(None, Some("s"), "b"), Decision::Conflict);
        // The folder now holds exactly what the studio published: no conflict.
        assert_eq!(decide(Some("a"), Some("s"), "s"), Decision::Publish);
    }

    #[test]
    fn a_missing_folder_retires_only_its_own_revision() {
        assert!(retires(Some("a"), Some("a")));
        assert!(!retires(Some("a"), Some("s")));
        assert!(!retires(None, Some("s")));
    }
}
