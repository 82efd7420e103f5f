//! The reports page's data: completion counts for administrators.

use crate::backend::{ServerBackend, admin};
use app::error::AppError;
use app::reports::ReportsBackend;
use app::reports::{AdminConsole, ReportPage};

#[async_trait::async_trait]
impl ReportsBackend for ServerBackend {
    async fn report(&self, activity: &str, from: &str, to: &str) -> Result<ReportPage, AppError> {
        admin()?;
        let (from, to) = crate::transcript::parse_range(from, to)
            .map_err(|(field, message)| AppError::validation(field, message))?;
        crate::reports::summary(&self.pool, activity.trim(), &from, &to)
            .await
            .map_err(AppError::from)
    }

    async fn console(&self) -> Result<AdminConsole, AppError> {
        admin()?;
        Ok(AdminConsole {
            audit: crate::reports::store::audit_log(&self.pool, 100)
                .await
                .map_err(AppError::from)?,
        })
    }
}
