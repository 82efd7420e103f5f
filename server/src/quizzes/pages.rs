//! The quiz pages' data: the learner's quiz form (starting an attempt) and a submitted
//! attempt's result.

use crate::backend::{ServerBackend, signed_in};
use crate::enrollment::pages::not_enrolled;
use app::error::AppError;
use app::learning::QuizzesBackend;
use app::learning::{AttemptResult, QuizKind, QuizPage};

#[async_trait::async_trait]
impl QuizzesBackend for ServerBackend {
    async fn quiz(&self, course: &str, kind: QuizKind) -> Result<QuizPage, AppError> {
        let viewer = signed_in()?;
        let state = self.form_state("quiz").await?;
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
}
