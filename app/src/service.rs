//! The backend the server functions call, provided as Leptos context by the server crate so
//! that this crate never links the database or the markdown pipeline. It is one trait per
//! domain ([`crate::catalog::CatalogBackend`], …), each implemented in its server domain;
//! [`Backend`] is all of them together.

use crate::accounts::AccountsBackend;
use crate::attendance::AttendanceBackend;
use crate::catalog::CatalogBackend;
use crate::certificates::CertificatesBackend;
use crate::error::AppError;
use crate::learning::{CreditBackend, EnrollmentBackend, QuizzesBackend};
use crate::mail::MailBackend;
use crate::reports::ReportsBackend;
use crate::studio::StudioBackend;
use crate::transcript::TranscriptBackend;
use crate::webinars::WebinarsBackend;
use std::sync::Arc;

/// Every domain's backend: what the server provides as context.
pub trait Backend:
    AccountsBackend
    + CatalogBackend
    + EnrollmentBackend
    + QuizzesBackend
    + CreditBackend
    + CertificatesBackend
    + TranscriptBackend
    + ReportsBackend
    + MailBackend
    + WebinarsBackend
    + AttendanceBackend
    + StudioBackend
{
}

impl<T> Backend for T where
    T: AccountsBackend
        + CatalogBackend
        + EnrollmentBackend
        + QuizzesBackend
        + CreditBackend
        + CertificatesBackend
        + TranscriptBackend
        + ReportsBackend
        + MailBackend
        + WebinarsBackend
        + AttendanceBackend
        + StudioBackend
{
}

pub type SharedBackend = Arc<dyn Backend>;

/// The backend of the current request.
pub fn backend() -> Result<SharedBackend, AppError> {
    leptos::prelude::use_context::<SharedBackend>().ok_or(AppError::Internal)
}
