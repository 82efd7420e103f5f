//! The data catalog pages show, built by the server and sent through the server functions.

use crate::accounts::Profession;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kinds of credit an activity can designate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CreditType {
    /// AMA PRA Category 1 Credit(s)™, for physicians.
    #[serde(rename = "ama-pra-category-1")]
    AmaPraCategory1,
    /// Nursing continuing professional development contact hours.
    NursingContactHours,
    /// Pharmacy continuing education contact hours.
    PharmacyContactHours,
    /// A certificate of participation, for everyone else.
    Participation,
}

impl CreditType {
    pub const ALL: [CreditType; 4] = [
        Self::AmaPraCategory1,
        Self::NursingContactHours,
        Self::PharmacyContactHours,
        Self::Participation,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::AmaPraCategory1 => "ama-pra-category-1",
            Self::NursingContactHours => "nursing-contact-hours",
            Self::PharmacyContactHours => "pharmacy-contact-hours",
            Self::Participation => "participation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::AmaPraCategory1 => "AMA PRA Category 1 Credit™",
            Self::NursingContactHours => "Nursing contact hours",
            Self::PharmacyContactHours => "Pharmacy contact hours",
            Self::Participation => "Hours of participation",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == slug)
    }
}

/// An amount of credit, kept as a whole number of quarter hours so that 0.25 steps are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hours {
    pub quarters: u32,
}

impl Hours {
    pub fn from_quarters(quarters: u32) -> Self {
        Self { quarters }
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.quarters / 4;
        match self.quarters % 4 {
            0 => write!(f, "{whole}"),
            1 => write!(f, "{whole}.25"),
            2 => write!(f, "{whole}.5"),
            _ => write!(f, "{whole}.75"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub kind: CreditType,
    pub max_hours: Hours,
}

/// One person who planned or taught an activity, with the disclosure accreditation requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacultyMember {
    pub name: String,
    pub role: String,
    /// `None` means the person declared no relevant financial relationships.
    pub relationships: Option<String>,
}

/// What the catalog shows about a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub professions: Vec<Profession>,
    pub credits: Vec<Credit>,
    pub estimated_minutes: u32,
    pub lesson_count: u32,
    /// ISO dates, `YYYY-MM-DD`.
    pub release_date: String,
    pub expiry_date: String,
    pub featured: bool,
    pub revision: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonLink {
    pub slug: String,
    pub title: String,
    /// 1-based order in the course.
    pub position: u32,
}

/// Everything a learner must see before starting a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseDetail {
    pub card: CourseCard,
    pub objectives: Vec<String>,
    pub faculty: Vec<FacultyMember>,
    pub accreditation_statement: String,
    pub designation_statement: String,
    /// The sanitised body of `course.md`, rendered when the content was loaded.
    pub overview_html: String,
    pub lessons: Vec<LessonLink>,
    /// The course's own evaluation statements (empty: the defaults apply).
    #[serde(default)]
    pub evaluation: Vec<String>,
    /// The post-test may be taken without the pre-test and the lessons (front matter
    /// `test_out = true`); otherwise it opens after both.
    #[serde(default)]
    pub test_out: bool,
    /// The course is the recording of a past live webinar: an on-demand (enduring) activity
    /// with its own credit; a learner who claimed the live session's cannot claim it too.
    #[serde(default)]
    pub recording: Option<RecordingOf>,
}

/// What a recording course records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingOf {
    /// The live webinar's slug.
    pub webinar: String,
    pub video_url: String,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonPage {
    pub course_slug: String,
    pub course_title: String,
    pub lesson: LessonLink,
    pub lesson_count: u32,
    /// Sanitised HTML rendered when the content was loaded.
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub previous: Option<LessonLink>,
    pub next: Option<LessonLink>,
}

/// The catalog's filters, as they arrive in the query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogFilter {
    pub profession: Option<Profession>,
    pub credit: Option<CreditType>,
}

impl CatalogFilter {
    pub fn matches(&self, card: &CourseCard) -> bool {
        self.profession
            .is_none_or(|p| card.professions.contains(&p))
            && self
                .credit
                .is_none_or(|c| card.credits.iter().any(|credit| credit.kind == c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Profession;

    #[test]
    fn hours_print_in_quarter_steps() {
        let shown: Vec<String> = (0..6)
            .map(|q| Hours::from_quarters(q).to_string())
            .collect();
        assert_eq!(shown, ["0", "0.25", "0.5", "0.75", "1", "1.25"]);
    }

    #[test]
    fn slugs_round_trip() {
        for p in Profession::ALL {
            assert_eq!(Profession::from_slug(p.slug()), Some(p));
        }
        for c in CreditType::ALL {
            assert_eq!(CreditType::from_slug(c.slug()), Some(c));
        }
        assert_eq!(Profession::from_slug("dentist"), None);
    }
}
