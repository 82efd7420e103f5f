//! What the pages' server functions reach: the catalog, and the signed-in user and form
//! state of the request being served (read from the request Leptos keeps in context).

use crate::AppState;
use crate::accounts::store;
use crate::auth::forms::form_key;
use crate::catalog::CatalogService;
use crate::enrollment;
use app::error::AppError;
use app::model::{
    AdminCertificatesPage, AttemptResult, CatalogFilter, CertificatePage, CertificateView,
    CourseCard, CourseDetail, CreditPage, Enrollment, FormState, LessonPage, LessonStatus, Profile,
    QuizKind, QuizPage, ReportPage, Role, TranscriptPage, UserPage, Viewer,
};
use app::service::Backend;
use axum::http::request::Parts;
use sqlx::SqlitePool;
use std::sync::Arc;
use tower_sessions::Session;

pub struct ServerBackend {
    catalog: Arc<CatalogService>,
    pool: SqlitePool,
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
                .map_err(internal)?
            && let Some(page) = enrollment::pinned_lesson(&self.pool, revision, course, lesson)
                .await
                .map_err(internal)?
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
            .map_err(|error| {
                tracing::error!(%error, "could not read form state");
                AppError::Internal
            })
    }

    async fn my_profile(&self) -> Result<Profile, AppError> {
        let viewer = current_viewer().ok_or(AppError::Unauthorized)?;
        store::profile(&self.pool, viewer.id)
            .await
            .map_err(|error| {
                tracing::error!(%error, "could not load a profile");
                AppError::Internal
            })?
            .ok_or(AppError::Unauthorized)
    }

    async fn users(&self, query: &str, page: u32) -> Result<UserPage, AppError> {
        match current_viewer() {
            None => return Err(AppError::Unauthorized),
            Some(viewer) if viewer.role != Role::Admin => return Err(AppError::Forbidden),
            Some(_) => {}
        }
        if query.chars().count() > 100 {
            return Err(AppError::validation(
                "q",
                "search with at most 100 characters",
            ));
        }
        store::list(&self.pool, query, page).await.map_err(|error| {
            tracing::error!(%error, "could not list users");
            AppError::Internal
        })
    }

    async fn my_enrollments(&self) -> Result<Vec<Enrollment>, AppError> {
        let viewer = current_viewer().ok_or(AppError::Unauthorized)?;
        enrollment::summaries(&self.pool, viewer.id, None)
            .await
            .map_err(internal)
    }

    async fn enrollment(&self, course: &str) -> Result<Option<Enrollment>, AppError> {
        let Some(viewer) = current_viewer() else {
            return Ok(None);
        };
        let found = enrollment::summaries(&self.pool, viewer.id, Some(course))
            .await
            .map_err(internal)?;
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
            .map_err(internal)
    }

    async fn quiz(&self, course: &str, kind: QuizKind) -> Result<QuizPage, AppError> {
        let viewer = current_viewer().ok_or(AppError::Unauthorized)?;
        let state = self.take_form_state("quiz").await?;
        crate::assessment::quiz_page(&self.pool, viewer.id, course, kind, state)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_enrolled(course, kind.label()))
    }

    async fn attempt(
        &self,
        course: &str,
        kind: QuizKind,
        number: u32,
    ) -> Result<AttemptResult, AppError> {
        let viewer = current_viewer().ok_or(AppError::Unauthorized)?;
        crate::assessment::attempt_result(&self.pool, viewer.id, course, kind, number)
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                AppError::not_found(format!(
                    "You have no {} attempt number {number} in this course.",
                    kind.label().to_lowercase()
                ))
            })
    }

    async fn credit(&self, course: &str) -> Result<CreditPage, AppError> {
        let viewer = current_viewer().ok_or(AppError::Unauthorized)?;
        let evaluation = self.take_form_state("evaluation").await?;
        let claim = self.take_form_state("claim").await?;
        crate::completion::credit_page(&self.pool, viewer.id, course, evaluation, claim)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_enrolled(course, "credit page"))
    }

    async fn certificate(&self, code: &str) -> Result<CertificatePage, AppError> {
        let viewer = current_viewer().ok_or(AppError::Unauthorized)?;
        if !crate::certificates::plausible(code) {
            return Err(no_such_certificate(code));
        }
        let found = crate::certificates::find(&self.pool, code)
            .await
            .map_err(internal)?
            .ok_or_else(|| no_such_certificate(code))?;
        let manage = viewer.role == Role::Admin;
        if found.user_id != viewer.id && !manage {
            return Err(AppError::Forbidden);
        }
        let state = self.take_form_state("certificate").await?;
        Ok(CertificatePage {
            certificate: self
                .issuer
                .view(&self.pool, &found)
                .await
                .map_err(internal)?,
            manage,
            state,
        })
    }

    async fn verify(&self, code: &str) -> Result<CertificateView, AppError> {
        if !crate::certificates::plausible(code) {
            return Err(no_such_certificate(code));
        }
        let found = crate::certificates::find(&self.pool, code)
            .await
            .map_err(internal)?
            .ok_or_else(|| no_such_certificate(code))?;
        self.issuer.view(&self.pool, &found).await.map_err(internal)
    }

    async fn transcript(&self, from: &str, to: &str) -> Result<TranscriptPage, AppError> {
        let viewer = current_viewer().ok_or(AppError::Unauthorized)?;
        let (from, to) = crate::transcript::parse_range(from, to)
            .map_err(|(field, message)| AppError::validation(field, message))?;
        let state = self.take_form_state("transcript").await?;
        crate::transcript::transcript(&self.pool, viewer.id, &from, &to, state)
            .await
            .map_err(internal)
    }

    async fn report(&self, activity: &str, from: &str, to: &str) -> Result<ReportPage, AppError> {
        match current_viewer() {
            None => return Err(AppError::Unauthorized),
            Some(viewer) if viewer.role != Role::Admin => return Err(AppError::Forbidden),
            Some(_) => {}
        }
        let (from, to) = crate::transcript::parse_range(from, to)
            .map_err(|(field, message)| AppError::validation(field, message))?;
        crate::reports::summary(&self.pool, activity.trim(), &from, &to)
            .await
            .map_err(internal)
    }

    async fn admin_certificates(&self) -> Result<AdminCertificatesPage, AppError> {
        match current_viewer() {
            None => return Err(AppError::Unauthorized),
            Some(viewer) if viewer.role != Role::Admin => return Err(AppError::Forbidden),
            Some(_) => {}
        }
        let preview =
            match request_parts().and_then(|parts| parts.extensions.get::<Session>().cloned()) {
                Some(session) => session
                    .remove::<app::model::BulkPreview>(crate::certificates::routes::BULK_PREVIEW)
                    .await
                    .map_err(internal)?,
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
                .map_err(internal)?,
        })
    }
}

fn no_such_certificate(code: &str) -> AppError {
    AppError::not_found(format!(
        "There is no certificate with the code \"{code}\". Check the code as printed under the QR code (letters and digits in groups of four)."
    ))
}

fn not_enrolled(course: &str, what: &str) -> AppError {
    AppError::not_found(format!(
        "There is no {what} for you at this address: you are not enrolled in a course called \"{course}\", or it has none."
    ))
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "request failed");
    AppError::Internal
}
