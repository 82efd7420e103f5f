//! One module per page; each fetches its data through a server function and renders it
//! completely on the server (the routes use `SsrMode::Async`).

mod account;
mod admin;
mod admin_certificates;
mod auth;
mod catalog;
mod certificate;
mod course;
mod credit;
mod home;
mod learning;
mod lesson;
mod not_found;
mod quiz;
mod reports;
mod transcript;

pub use account::AccountPage;
pub use admin::AdminUsersPage;
pub use admin_certificates::AdminCertificatesRoute;
pub use auth::{LoginPage, RegisterPage};
pub use catalog::CatalogPage;
pub use certificate::{CertificateRoute, VerifyRoute};
pub use course::CoursePage;
pub use credit::CreditRoute;
pub use home::HomePage;
pub use learning::LearningPage;
pub use lesson::LessonPage;
pub use not_found::NotFound;
pub use quiz::{AttemptRoute, QuizRoute};
pub use reports::ReportsRoute;
pub use transcript::TranscriptRoute;
