//! A transcript as PDF: A4 portrait, flowing onto as many pages as it needs.

use super::{MARGIN, MM, Typesetter, write};

/// A transcript as PDF (A4 portrait, as many pages as it needs).
pub fn render(page: &app::transcript::TranscriptPage) -> Option<Vec<u8>> {
    const W: f32 = 210.0 * MM;
    const H: f32 = 297.0 * MM;
    let mut t = Typesetter::new()?;
    t.content.set_fill_rgb(0.1, 0.1, 0.1);
    let left = MARGIN;
    let mut y = H - MARGIN - 10.0;
    t.text(left, y, 20.0, "Transcript");
    y -= 22.0;
    t.text(left, y, 12.0, &page.learner_name);
    y -= 16.0;
    let period = match (page.from.as_str(), page.to.as_str()) {
        ("", "") => "All dates".to_owned(),
        (from, "") => format!("From {from}"),
        ("", to) => format!("Up to {to}"),
        (from, to) => format!("{from} to {to}"),
    };
    t.text(left, y, 10.0, &period);
    y -= 24.0;
    for (heading, entries, totals, empty) in [
        (
            "Verified credit (certificates)",
            &page.verified,
            &page.verified_totals,
            "No verified credit in this period.",
        ),
        (
            "Self-reported credit (not verified, not in the totals above)",
            &page.reported,
            &page.reported_totals,
            "Nothing self-reported in this period.",
        ),
    ] {
        t.text(left, y, 12.5, heading);
        y -= 16.0;
        if totals.is_empty() {
            t.text(left, y, 10.0, empty);
            y -= 14.0;
        }
        for total in totals {
            t.text(
                left,
                y,
                10.5,
                &format!("Total: {} {}", total.hours, total.credit.label()),
            );
            y -= 14.0;
        }
        y -= 4.0;
        for entry in entries {
            if y < MARGIN + 40.0 {
                t.new_page();
                t.content.set_fill_rgb(0.1, 0.1, 0.1);
                y = H - MARGIN - 10.0;
            }
            t.text(left, y, 9.0, &entry.completed_on);
            let after = t.paragraph(left + 62.0, y, W - 2.0 * MARGIN - 62.0, 9.5, &entry.title);
            let detail = format!(
                "{} {} · {}{}{}",
                entry.hours,
                entry.credit.label(),
                entry.provider,
                entry
                    .code
                    .as_deref()
                    .map(|c| format!(" · certificate {c}"))
                    .unwrap_or_default(),
                if entry.revoked {
                    " · REVOKED, not counted"
                } else {
                    ""
                }
            );
            y = t.paragraph(left + 62.0, after, W - 2.0 * MARGIN - 62.0, 8.5, &detail) - 6.0;
        }
        y -= 14.0;
    }
    write(t, &format!("Transcript of {}", page.learner_name), W, H)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::catalog::{CreditType, Hours};
    use app::transcript::{TranscriptEntry, TranscriptPage};

    fn pages(pdf: &[u8]) -> usize {
        String::from_utf8_lossy(pdf)
            .matches("/Type /Page\n")
            .count()
            + String::from_utf8_lossy(pdf).matches("/Type /Page ").count()
            + String::from_utf8_lossy(pdf).matches("/Type /Page/").count()
    }

    #[test]
    fn a_long_transcript_flows_onto_more_pages() {
        let entry = |i: u32| TranscriptEntry {
            code: Some(format!("CODE-{i:04}")),
            external_id: None,
            title: format!("Activity number {i} with a title long enough to need some room"),
            provider: "Grand Rounds".into(),
            credit: CreditType::Participation,
            hours: Hours::from_quarters(4),
            completed_on: "2026-01-01".into(),
            revoked: false,
        };
        let page = |n: u32| TranscriptPage {
            learner_name: "Ana Silva".into(),
            from: String::new(),
            to: String::new(),
            verified: (0..n).map(entry).collect(),
            verified_totals: Vec::new(),
            reported: Vec::new(),
            reported_totals: Vec::new(),
            state: app::forms::FormState::default(),
        };
        let short = render(&page(3)).expect("pdf");
        let long = render(&page(80)).expect("pdf");
        assert!(short.starts_with(b"%PDF-"));
        assert_eq!(pages(&short), 1);
        assert!(pages(&long) >= 3, "{} pages", pages(&long));
    }
}
