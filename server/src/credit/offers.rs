//! What an activity offers a learner: the credit their profession claims, and the statements
//! its evaluation asks about.

use app::accounts::Profession;
use app::catalog::{CourseDetail, CreditType};
use app::learning::{ClaimOption, DEFAULT_EVALUATION};

/// The evaluation statements of a revision: its own, or the defaults.
pub fn statements(detail: &CourseDetail) -> Vec<String> {
    if detail.evaluation.is_empty() {
        DEFAULT_EVALUATION.iter().map(|s| (*s).to_owned()).collect()
    } else {
        detail.evaluation.clone()
    }
}

/// The credit type a profession claims: its own when the course offers it, otherwise a
/// certificate of participation when the course offers that.
pub fn eligible(detail: &CourseDetail, profession: Profession) -> Vec<ClaimOption> {
    eligible_among(&detail.card.credits, profession)
}

/// [`eligible`] for any activity's credits (a course's or a webinar's).
pub fn eligible_among(
    credits: &[app::catalog::Credit],
    profession: Profession,
) -> Vec<ClaimOption> {
    let own = match profession {
        Profession::Physician => Some(CreditType::AmaPraCategory1),
        Profession::Nurse => Some(CreditType::NursingContactHours),
        Profession::Pharmacist => Some(CreditType::PharmacyContactHours),
        _ => None,
    };
    let offered = |kind: CreditType| {
        credits
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| ClaimOption {
                kind,
                max_hours: c.max_hours,
            })
    };
    own.and_then(offered)
        .or_else(|| offered(CreditType::Participation))
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::catalog::{CourseCard, Credit, Hours};

    fn course(credits: &[(CreditType, u32)], evaluation: &[&str]) -> CourseDetail {
        CourseDetail {
            card: CourseCard {
                slug: "c".into(),
                title: "C".into(),
                summary: String::new(),
                professions: vec![Profession::Nurse],
                credits: credits
                    .iter()
                    .map(|(kind, quarters)| Credit {
                        kind: *kind,
                        max_hours: Hours::from_quarters(*quarters),
                    })
                    .collect(),
                estimated_minutes: 60,
                lesson_count: 1,
                release_date: String::new(),
                expiry_date: String::new(),
                featured: false,
                revision: 1,
            },
            objectives: Vec::new(),
            faculty: Vec::new(),
            accreditation_statement: String::new(),
            designation_statement: String::new(),
            overview_html: String::new(),
            lessons: Vec::new(),
            evaluation: evaluation.iter().map(|s| (*s).to_owned()).collect(),
            test_out: false,
            recording: None,
        }
    }

    #[test]
    fn each_profession_claims_its_own_credit_or_participation() {
        use CreditType::*;
        let all = course(
            &[
                (AmaPraCategory1, 4),
                (NursingContactHours, 3),
                (Participation, 4),
            ],
            &[],
        );
        let kinds = |detail: &CourseDetail, p: Profession| -> Vec<(CreditType, u32)> {
            eligible(detail, p)
                .into_iter()
                .map(|o| (o.kind, o.max_hours.quarters))
                .collect()
        };
        assert_eq!(kinds(&all, Profession::Physician), [(AmaPraCategory1, 4)]);
        assert_eq!(kinds(&all, Profession::Nurse), [(NursingContactHours, 3)]);
        assert_eq!(kinds(&all, Profession::Pharmacist), [(Participation, 4)]);
        assert_eq!(
            kinds(&all, Profession::CommunityHealthWorker),
            [(Participation, 4)]
        );
        let nursing_only = course(&[(NursingContactHours, 2)], &[]);
        assert!(kinds(&nursing_only, Profession::Physician).is_empty());
    }

    #[test]
    fn a_course_without_statements_gets_the_defaults() {
        assert_eq!(statements(&course(&[], &[])), DEFAULT_EVALUATION);
        assert_eq!(statements(&course(&[], &["Mine."])), ["Mine."]);
    }
}
