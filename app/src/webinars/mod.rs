//! Live webinars: `/webinars` (upcoming and past, by profession) and `/webinars/{webinar}`
//! (description, objectives, disclosures and statements, every session's time written out).

pub mod api;
pub mod list;
mod model;
pub mod page;
pub mod registrations;
pub mod settings;

pub use model::*;

#[cfg(feature = "ssr")]
use crate::accounts::Profession;
#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What the webinar pages ask the server for; implemented in the server crate.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait WebinarsBackend: Send + Sync + 'static {
    /// Published webinars for `profession` (all when `None`), upcoming and past.
    async fn webinars(&self, profession: Option<Profession>) -> Result<WebinarList, AppError>;

    async fn webinar(&self, slug: &str) -> Result<WebinarPage, AppError>;

    /// The webinar's organizers and administrators only: who is registered and waiting.
    async fn registrations(&self, slug: &str) -> Result<RegistrationsPage, AppError>;

    /// The signed-in user's time-zone choices and calendar feed.
    async fn calendar_settings(&self) -> Result<CalendarSettings, AppError>;
}
