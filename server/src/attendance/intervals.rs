//! Minutes attended, from the ledger's evidence: the union of a learner's intervals clipped
//! to the session, in whole seconds. Two devices, a rejoin or two sources covering the same
//! minutes never count twice, a gap counts zero, and nothing is rounded here (credit rounds
//! once, when it is claimed). Then the webinar's rule decides who is eligible.

use crate::webinars::format::AttendanceRule;

/// Seconds covered by the union of `intervals` (`(start, end)`, unix seconds, in any order,
/// overlapping or not) inside `[session_start, session_end)`.
pub fn attended_seconds(intervals: &[(i64, i64)], session_start: i64, session_end: i64) -> i64 {
    let mut clipped: Vec<(i64, i64)> = intervals
        .iter()
        .map(|&(start, end)| (start.max(session_start), end.min(session_end)))
        .filter(|(start, end)| end > start)
        .collect();
    clipped.sort_unstable();
    let mut total = 0;
    let mut current: Option<(i64, i64)> = None;
    for (start, end) in clipped {
        current = match current {
            Some((open, close)) if start <= close => Some((open, close.max(end))),
            Some((open, close)) => {
                total += close - open;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((open, close)) = current {
        total += close - open;
    }
    total
}

/// Whether `seconds` attended of a session lasting `session_seconds` meets `rule`, and if
/// not, how many seconds are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eligibility {
    Eligible,
    Missing { seconds: i64 },
}

pub fn eligibility(rule: AttendanceRule, seconds: i64, session_seconds: i64) -> Eligibility {
    let needed = required_seconds(rule, session_seconds);
    if seconds >= needed {
        Eligibility::Eligible
    } else {
        Eligibility::Missing {
            seconds: needed - seconds,
        }
    }
}

/// The seconds a session's rule asks for (a share is rounded up to the second: 80 % of a
/// 61-second session is 49 seconds, never 48.8 read as enough).
pub fn required_seconds(rule: AttendanceRule, session_seconds: i64) -> i64 {
    match rule {
        AttendanceRule::MinMinutes(minutes) => i64::from(minutes) * 60,
        AttendanceRule::MinPercent(percent) => {
            (session_seconds * i64::from(percent) + 99).div_euclid(100)
        }
    }
}

/// Seconds written for people: "1 h 27 min 51 s", "45 min", "0 min".
pub fn written(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut parts = Vec::new();
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if minutes > 0 || (hours == 0 && rest == 0) {
        parts.push(format!("{minutes} min"));
    }
    if rest > 0 {
        parts.push(format!("{rest} s"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_000_000;
    const END: i64 = START + 3600;

    #[test]
    fn overlapping_intervals_from_two_devices_count_once() {
        let phone = (START + 600, START + 1800);
        let laptop = (START + 1200, START + 2400);
        assert_eq!(attended_seconds(&[phone, laptop], START, END), 1800);
    }

    #[test]
    fn a_rejoin_leaves_the_gap_at_zero() {
        let before = (START, START + 1000);
        let after = (START + 1500, START + 2000);
        assert_eq!(attended_seconds(&[after, before], START, END), 1500);
    }

    #[test]
    fn time_outside_the_session_is_clipped_and_wholly_outside_is_nothing() {
        let early = (START - 900, START + 60);
        let late = (END - 30, END + 900);
        let after = (END + 10, END + 500);
        assert_eq!(attended_seconds(&[early, late, after], START, END), 90);
    }

    #[test]
    fn seconds_are_not_floored_per_interval() {
        // Three stays of 90 seconds each: 4.5 minutes, not 3 (one minute per stay).
        let stays = [
            (START, START + 90),
            (START + 200, START + 290),
            (START + 400, START + 490),
        ];
        assert_eq!(attended_seconds(&stays, START, END), 270);
    }

    #[test]
    fn touching_and_contained_intervals_merge() {
        let outer = (START, START + 1000);
        let inner = (START + 100, START + 200);
        let touching = (START + 1000, START + 1100);
        let instant = (START + 50, START + 50);
        assert_eq!(
            attended_seconds(&[inner, touching, outer, instant], START, END),
            1100
        );
        assert_eq!(attended_seconds(&[], START, END), 0);
    }

    #[test]
    fn the_rule_decides_and_says_what_is_missing() {
        let rule = AttendanceRule::MinMinutes(45);
        assert_eq!(eligibility(rule, 2700, 3600), Eligibility::Eligible);
        assert_eq!(
            eligibility(rule, 2699, 3600),
            Eligibility::Missing { seconds: 1 }
        );
        let share = AttendanceRule::MinPercent(80);
        assert_eq!(eligibility(share, 2880, 3600), Eligibility::Eligible);
        assert_eq!(
            eligibility(share, 2000, 3600),
            Eligibility::Missing { seconds: 880 }
        );
        assert_eq!(required_seconds(share, 61), 49);
    }

    #[test]
    fn seconds_are_written_for_people() {
        assert_eq!(written(5271), "1 h 27 min 51 s");
        assert_eq!(written(2700), "45 min");
        assert_eq!(written(0), "0 min");
        assert_eq!(written(30), "30 s");
    }
}
