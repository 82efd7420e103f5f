//! What the pages' server functions reach: the catalog, and the signed-in user and form
//! state of the request being served (read from the request Leptos keeps in context).

use crate::AppState;
use crate::accounts::store;
use crate::catalog::CatalogService;
use crate::enrollment;
use crate::error::Error;
use crate::forms::form_key;
use app::error::AppError;
use app::model::{
    AdminCertificatesPage, AttemptResult, CatalogFilter, CertificatePage, CertificateView,
    CourseCard, CourseDetail, CreditPage, Enrollment, FormState, LessonPage, LessonStatus, Profile,
    QuizKind, QuizPage, ReportPage, Role, TranscriptPage, UserPage, Viewer,
};
use app::service::Backend;
use axum::http::request::Parts;
use std::sync::Arc;
use tower_sessions::Session;

pub struct ServerBackend {
    catalog: Arc<CatalogService>,
    pool: crate::db::Pool,
    issuer: Arc<crate::certificates::Issuer>,
}

impl ServerBackend {
    pub fn new(state: &AppState) -> Self {
        Self {
            catalog: Arc::clone(&state.catalog),
            pool: state.pool.clone(),
            issuer: Arc::clone(&state.issuer),
        }
    }
}

fn request_parts() -> Option<Parts> {
    leptos::prelude::use_context::<Parts>()
}

fn current_viewer() -> Option<Viewer> {
    request_parts().and_then(|parts| parts.extensions.get::<Viewer>().cloned())
}

/// The signed-in viewer, or why not: the server functions' side of [`crate::auth::SignedIn`].
fn signed_in() -> Result<Viewer, AppError> {
    current_viewer().ok_or(AppError::Unauthorized)
}

/// The signed-in administrator, or why not: the server functions' [`crate::auth::Admin`].
fn admin() -> Result<Viewer, AppError> {
    let viewer = signed_in()?;
    if viewer.role == Role::Admin {
        Ok(viewer)
    } else {
        Err(AppError::Forbidden)
    }
}

#[async_trait::async_trait]
impl Backend for ServerBackend {
    async fn courses(&self, filter: &CatalogFilter) -> Result<Vec<CourseCard>, AppError> {
        self.catalog.courses(filter).await
    }

    async fn course(&self, slug: &str) -> Result<CourseDetail, AppError> {
        self.catalog.course(slug).await
    }

    async fn lesson(&self, course: &str, lesson: &str) -> Result<LessonPage, AppError> {
        // An enrolled learner reads the revision they enrolled on, even after an update.
        if let Some(viewer) = current_viewer()
            && let Some((_, revision)) = enrollment::enrollment_of(&self.pool, viewer.id, course)
                .await
                .map_err(AppError::from)?
            && let Some(page) = enrollment::pinned_lesson(&self.pool, revision, course, lesson)
                .await
                .map_err(AppError::from)?
        {
            return Ok(page);
        }
        self.catalog.lesson(course, lesson).await
    }

    async fn viewer(&self) -> Result<Option<Viewer>, AppError> {
        Ok(current_viewer())
    }

    async fn take_form_state(&self, form: &str) -> Result<FormState, AppError> {
        let Some(session) =
            request_parts().and_then(|parts| parts.extensions.get::<Session>().cloned())
        else {
            return Ok(FormState::default());
        };
        session
            .remove::<FormState>(&form_key(form))
            .await
            .map(Option::unwrap_or_default)
            .map_err(|error| Error::from(error).into())
    }

    async fn my_profile(&self) -> Result<Profile, AppError> {
        let viewer = signed_in()?;
        store::profile(&self.pool, viewer.id)
            .await
            .map_err(|error| AppError::from(Error::from(error)))?
            .ok_or(AppError::Unauthorized)
    }

    async fn users(&self, query: &str, page: u32) -> Result<UserPage, AppError> {
        admin()?;
        if query.chars().count() > 100 {
            return Err(AppError::validation(
                "q",
                "search with at most 100 characters",
            ));
        }
        store::list(&self.pool, query, page)
            .await
            .map_err(|error| Error::from(error).into())
    }

    async fn my_enrollments(&self) -> Result<Vec<Enrollment>, AppError> {
        let viewer = signed_in()?;
        enrollment::summaries(&self.pool, viewer.id, None)
            .await
            .map_err(AppError::from)
    }

    async fn enrollment(&self, course: &str) -> Result<Option<Enrollment>, AppError> {
        let Some(viewer) = current_viewer() else {
            return Ok(None);
        };
        let found = enrollment::summaries(&self.pool, viewer.id, Some(course))
            .await
            .map_err(AppError::from)?;
        Ok(found.into_iter().next())
    }

    async fn lesson_status(&self, course: &str, lesson: &str) -> Result<LessonStatus, AppError> {
        let Some(viewer) = current_viewer() else {
            return Ok(LessonStatus {
                enrolled: false,
                completed: false,
            });
        };
        enrollment::lesson_status(&self.pool, viewer.id, course, lesson)
            .await
            .map_err(AppError::from)
    }

    async fn quiz(&self, course: &str, kind: QuizKind) -> Result<QuizPage, AppError> {
        let viewer = signed_in()?;
        let state = self.take_form_state("quiz").await?;
        crate::quizzes::attempts::quiz_page(&self.pool, viewer.id, course, kind, state)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| not_enrolled(course, kind.label()))
    }

    async fn attempt(
        &self,
        course: &str,
        kind: QuizKind,
        number: u32,
    ) -> Result<AttemptResult, AppError> {
        let viewer = signed_in()?;
        crate::quizzes::attempts::attempt_result(&self.pool, viewer.id, course, kind, number)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| {
                AppError::not_found(format!(
                    "You have no {} attempt number {number} in this course.",
                    kind.label().to_lowercase()
                ))
            })
    }

    async fn credit(&self, course: &str) -> Result<CreditPage, AppError> {
        let viewer = signed_in()?;
        let evaluation = self.take_form_state("evaluation").await?;
        let claim = self.take_form_state("claim").await?;
        crate::credit::store::credit_page(&self.pool, viewer.id, course, evaluation, claim)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| not_enrolled(course, "credit page"))
    }

    async fn certificate(&self, code: &str) -> Result<CertificatePage, AppError> {
        let viewer = signed_in()?;
        let found = crate::certificates::routes::owned_by(&self.pool, &viewer, code).await?;
        let state = self.take_form_state("certificate").await?;
        Ok(CertificatePage {
            certificate: self.issuer.view(&self.pool, &found).await?,
            manage: viewer.role == Role::Admin,
            state,
        })
    }

    async fn verify(&self, code: &str) -> Result<CertificateView, AppError> {
        if !crate::certificates::plausible(code) {
            return Err(no_such_certificate(code));
        }
        let found = crate::certificates::find(&self.pool, code)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| no_such_certificate(code))?;
        self.issuer
            .view(&self.pool, &found)
            .await
            .map_err(AppError::from)
    }

    async fn transcript(&self, from: &str, to: &str) -> Result<TranscriptPage, AppError> {
        let viewer = signed_in()?;
        let (from, to) = crate::transcript::parse_range(from, to)
            .map_err(|(field, message)| AppError::validation(field, message))?;
        let state = self.take_form_state("transcript").await?;
        crate::transcript::transcript(&self.pool, viewer.id, &from, &to, state)
            .await
            .map_err(AppError::from)
    }

    async fn report(&self, activity: &str, from: &str, to: &str) -> Result<ReportPage, AppError> {
        admin()?;
        let (from, to) = crate::transcript::parse_range(from, to)
            .map_err(|(field, message)| AppError::validation(field, message))?;
        crate::reports::summary(&self.pool, activity.trim(), &from, &to)
            .await
            .map_err(AppError::from)
    }

    async fn admin_certificates(&self) -> Result<AdminCertificatesPage, AppError> {
        admin()?;
        let preview =
            match request_parts().and_then(|parts| parts.extensions.get::<Session>().cloned()) {
                Some(session) => session
                    .remove::<app::model::BulkPreview>(crate::certificates::routes::BULK_PREVIEW)
                    .await
                    .map_err(Error::from)?,
                None => None,
            };
        let state = self.take_form_state("admin-certificates").await?;
        let activities = self
            .catalog
            .courses(&CatalogFilter::default())
            .await?
            .into_iter()
            .map(|card| (card.slug, card.title))
            .collect();
        Ok(AdminCertificatesPage {
            activities,
            preview,
            state,
            recent: crate::certificates::bulk::recent(&self.pool)
                .await
                .map_err(AppError::from)?,
        })
    }
}

fn no_such_certificate(code: &str) -> AppError {
    AppError::not_found(crate::certificates::routes::no_such_certificate(code))
}

fn not_enrolled(course: &str, what: &str) -> AppError {
    AppError::not_found(format!(
        "There is no {what} for you at this address: you are not enrolled in a course called \"{course}\", or it has none."
    ))
}
