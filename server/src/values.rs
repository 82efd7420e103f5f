//! Hours and dates as people write them in forms and files (a claim, a bulk-issue CSV, a
//! transcript range, a manual transcript entry), read in one place with one set of messages.

use app::catalog::Hours;

/// Reads a claimed amount written as hours: "1", "0.25", "1.5", "0.75".
pub fn parse_hours(text: &str) -> Result<Hours, String> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole: u32 = if whole.is_empty() && !fraction.is_empty() {
        0
    } else {
        whole
            .parse()
            .ok()
            .filter(|w| *w <= 1000)
            .ok_or_else(|| format!("\"{text}\" is not a number of hours"))?
    };
    let quarter = match fraction.trim_end_matches('0') {
        "" => 0,
        "25" => 1,
        "5" => 2,
        "75" => 3,
        _ => {
            return Err(format!(
                "{text} hours is not a quarter-hour step: claim 0.25, 0.5, 0.75, 1, …"
            ));
        }
    };
    Ok(Hours::from_quarters(whole * 4 + quarter))
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Reads an ISO date (`YYYY-MM-DD`); empty means no bound.
pub fn parse_date(field: &str, text: &str) -> Result<Option<time::Date>, (String, String)> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    time::Date::parse(text, DATE).map(Some).map_err(|_| {
        (
            field.to_owned(),
            format!("\"{text}\" is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_parse_in_quarter_steps() {
        let q = |s: &str| parse_hours(s).map(|h| h.quarters);
        assert_eq!(q("1"), Ok(4));
        assert_eq!(q("0.25"), Ok(1));
        assert_eq!(q(".5"), Ok(2));
        assert_eq!(q("1.50"), Ok(6));
        assert_eq!(q("2.75"), Ok(11));
        assert!(q("0.3").is_err_and(|e| e.contains("quarter-hour")));
        assert!(q("abc").is_err_and(|e| e.contains("not a number")));
        assert!(q("-1").is_err());
        assert!(q("").is_err());
    }

    #[test]
    fn dates_are_iso() {
        assert_eq!(parse_date("from", " "), Ok(None));
        assert_eq!(
            parse_date("from", "2026-01-31"),
            Ok(Some(time::macros::date!(2026 - 01 - 31)))
        );
        let (field, message) = parse_date("to", "31/01/2026").expect_err("not ISO");
        assert_eq!(field, "to");
        assert!(message.contains("YYYY-MM-DD"), "{message}");
    }
}
