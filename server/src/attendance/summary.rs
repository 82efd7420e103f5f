//! What the ledger adds up to, per learner and session: seconds per source, the union of all
//! of them, and whether the webinar's rule is met (and if not, by how much).

use super::intervals::{self, Eligibility};
use super::store::{self, Evidence, Source};
use crate::webinars::format::AttendanceRule;
use crate::webinars::store::{Registrant, StoredSession};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    /// Seconds each source shows on its own (they may cover the same minutes).
    pub per_source: Vec<(Source, i64)>,
    /// The union of every source, clipped to the session.
    pub seconds: i64,
    pub eligibility: Eligibility,
}

impl Attendance {
    fn seconds_from(&self, source: Source) -> i64 {
        self.per_source
            .iter()
            .find(|(s, _)| *s == source)
            .map_or(0, |(_, seconds)| *seconds)
    }

    /// Whether the time rests on attendance codes alone: no participant report or
    /// organizer's correction confirms it (a join click adds no time of its own).
    pub fn code_only(&self) -> bool {
        self.seconds_from(Source::Code) > 0
            && self.seconds_from(Source::Report) == 0
            && self.seconds_from(Source::Correction) == 0
    }
}

/// One learner's attendance of `session` from their current evidence.
pub fn of(evidence: &[&Evidence], session: &StoredSession, rule: AttendanceRule) -> Attendance {
    let (start, end) = (session.starts_at, session.ends_at());
    let mut by_source: BTreeMap<Source, Vec<(i64, i64)>> = BTreeMap::new();
    for row in evidence {
        if let Some(interval) = row.interval {
            by_source.entry(row.source).or_default().push(interval);
        }
    }
    let all: Vec<(i64, i64)> = by_source.values().flatten().copied().collect();
    let seconds = intervals::attended_seconds(&all, start, end);
    Attendance {
        per_source: by_source
            .iter()
            .map(|(source, list)| (*source, intervals::attended_seconds(list, start, end)))
            .collect(),
        seconds,
        eligibility: intervals::eligibility(rule, seconds, end - start),
    }
}

/// One row of the organizers' table.
#[derive(Debug, Clone)]
pub struct LearnerRow {
    pub person: Registrant,
    pub attendance: Attendance,
}

/// Every learner with a seat, and anyone on the waitlist with evidence, for `session`.
/// Join clicks are read as who clicked, not row by row (a click is an instant and adds no
/// time), and the rest is grouped by learner once: the work grows with the evidence that
/// carries time, never with the clicking.
pub async fn session(
    conn: &mut crate::db::Connection,
    webinar: i64,
    session: &StoredSession,
    rule: AttendanceRule,
    registrants: &[Registrant],
) -> Result<Vec<LearnerRow>, sqlx::Error> {
    let evidence = store::timed_evidence(conn, session.id).await?;
    let clicked: std::collections::HashSet<i64> = store::clickers(conn, webinar, session.id)
        .await?
        .into_iter()
        .collect();
    let mut by_learner: std::collections::HashMap<i64, Vec<&Evidence>> =
        std::collections::HashMap::new();
    for row in &evidence {
        by_learner.entry(row.user_id).or_default().push(row);
    }
    let mut out = Vec::new();
    for person in registrants {
        let mine = by_learner
            .get(&person.user_id)
            .map_or(&[][..], Vec::as_slice);
        let clicks = clicked.contains(&person.user_id);
        if person.status != "registered" && mine.is_empty() && !clicks {
            continue;
        }
        let mut attendance = of(mine, session, rule);
        if clicks {
            attendance.per_source.push((Source::JoinClick, 0));
            attendance.per_source.sort_unstable();
        }
        out.push(LearnerRow {
            person: person.clone(),
            attendance,
        });
    }
    Ok(out)
}
