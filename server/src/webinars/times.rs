//! Session times written out for a reader: in a zone, with the zone's abbreviation, its UTC
//! offset at that instant (so a daylight-saving change shows) and its IANA name. Only here
//! do zones meet instants; everything stored is UTC.

use chrono::TimeZone as _;

fn zoned(at: i64, zone: chrono_tz::Tz) -> Option<chrono::DateTime<chrono_tz::Tz>> {
    chrono::Utc
        .timestamp_opt(at, 0)
        .single()
        .map(|utc| utc.with_timezone(&zone))
}

/// `UTC−06:00`, `UTC+05:30`, `UTC+00:00` (a real minus sign).
fn offset_text(at: &chrono::DateTime<chrono_tz::Tz>) -> String {
    format!("UTC{}", at.format("%:z")).replace('-', "\u{2212}")
}

/// "Tuesday 4 March 2031, 09:00–10:00 CST (UTC−06:00, America/Chicago)".
pub fn session(starts_at: i64, minutes: u32, zone: &str) -> String {
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let (Some(start), Some(end)) = (
        zoned(starts_at, zone),
        zoned(starts_at + i64::from(minutes) * 60, zone),
    ) else {
        return String::new();
    };
    let end_text = if end.date_naive() == start.date_naive() {
        end.format("%H:%M").to_string()
    } else {
        end.format("%A %-d %B, %H:%M").to_string()
    };
    // A session across a daylight-saving change ends under the other offset: say so.
    if end.format("%:z").to_string() != start.format("%:z").to_string() {
        return format!(
            "{}, {} {} ({})\u{2013}{end_text} {} ({}), {}",
            start.format("%A %-d %B %Y"),
            start.format("%H:%M"),
            start.format("%Z"),
            offset_text(&start),
            end.format("%Z"),
            offset_text(&end),
            zone.name()
        );
    }
    format!(
        "{}, {}\u{2013}{end_text} {} ({}, {})",
        start.format("%A %-d %B %Y"),
        start.format("%H:%M"),
        start.format("%Z"),
        offset_text(&start),
        zone.name()
    )
}

/// "15:00–16:00 UTC, 4 March 2031".
pub fn session_utc(starts_at: i64, minutes: u32) -> String {
    let (Some(start), Some(end)) = (
        zoned(starts_at, chrono_tz::UTC),
        zoned(starts_at + i64::from(minutes) * 60, chrono_tz::UTC),
    ) else {
        return String::new();
    };
    format!(
        "{}\u{2013}{} UTC, {}",
        start.format("%H:%M"),
        end.format("%H:%M"),
        start.format("%-d %B %Y")
    )
}

/// "4 March 2031, 08:45 CST (UTC−06:00)": an instant in a zone, for registration windows.
pub fn instant(at: i64, zone: &str) -> String {
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    zoned(at, zone).map_or_else(String::new, |at| {
        format!(
            "{} {} ({})",
            at.format("%-d %B %Y, %H:%M"),
            at.format("%Z"),
            offset_text(&at)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(datetime: time::OffsetDateTime) -> i64 {
        datetime.unix_timestamp()
    }

    #[test]
    fn both_sides_of_a_daylight_saving_change_show_their_offset() {
        // Chicago moves to daylight time on 9 March 2031.
        assert_eq!(
            session(
                at(time::macros::datetime!(2031-03-04 15:00 UTC)),
                60,
                "America/Chicago"
            ),
            "Tuesday 4 March 2031, 09:00\u{2013}10:00 CST (UTC\u{2212}06:00, America/Chicago)"
        );
        assert_eq!(
            session(
                at(time::macros::datetime!(2031-03-11 14:00 UTC)),
                60,
                "America/Chicago"
            ),
            "Tuesday 11 March 2031, 09:00\u{2013}10:00 CDT (UTC\u{2212}05:00, America/Chicago)"
        );
        // Berlin moves on 30 March 2031.
        assert_eq!(
            session(
                at(time::macros::datetime!(2031-03-28 17:00 UTC)),
                90,
                "Europe/Berlin"
            ),
            "Friday 28 March 2031, 18:00\u{2013}19:30 CET (UTC+01:00, Europe/Berlin)"
        );
        assert_eq!(
            session(
                at(time::macros::datetime!(2031-04-04 16:00 UTC)),
                90,
                "Europe/Berlin"
            ),
            "Friday 4 April 2031, 18:00\u{2013}19:30 CEST (UTC+02:00, Europe/Berlin)"
        );
    }

    #[test]
    fn a_session_across_the_change_names_both_offsets() {
        // Chicago goes back from CDT to CST at 02:00 on 2 November 2031: 00:30 CDT plus two
        // hours is 01:30 CST.
        assert_eq!(
            session(
                at(time::macros::datetime!(2031-11-02 05:30 UTC)),
                120,
                "America/Chicago"
            ),
            "Sunday 2 November 2031, 00:30 CDT (UTC\u{2212}05:00)\u{2013}01:30 CST (UTC\u{2212}06:00), America/Chicago"
        );
    }

    #[test]
    fn half_hour_zones_and_sessions_past_midnight() {
        assert_eq!(
            session(
                at(time::macros::datetime!(2031-03-04 15:00 UTC)),
                60,
                "Asia/Kolkata"
            ),
            "Tuesday 4 March 2031, 20:30\u{2013}21:30 IST (UTC+05:30, Asia/Kolkata)"
        );
        assert_eq!(
            session(
                at(time::macros::datetime!(2031-03-04 15:00 UTC)),
                60,
                "Australia/Adelaide"
            ),
            "Wednesday 5 March 2031, 01:30\u{2013}02:30 ACDT (UTC+10:30, Australia/Adelaide)"
        );
        assert_eq!(
            session(at(time::macros::datetime!(2031-03-04 23:30 UTC)), 60, "UTC"),
            "Tuesday 4 March 2031, 23:30\u{2013}Wednesday 5 March, 00:30 UTC (UTC+00:00, UTC)"
        );
        assert_eq!(
            session_utc(at(time::macros::datetime!(2031-03-04 15:00 UTC)), 60),
            "15:00\u{2013}16:00 UTC, 4 March 2031"
        );
    }
}
