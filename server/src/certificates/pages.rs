//! The certificate pages' data: a certificate for its learner or an administrator, public
//! verification, and the administrators' console.

use crate::backend::{ServerBackend, admin, signed_in};
use app::accounts::Role;
use app::catalog::CatalogFilter;
use app::certificates::CertificatesBackend;
use app::certificates::{AdminCertificatesPage, CertificatePage, CertificateView};
use app::error::AppError;

#[async_trait::async_trait]
impl CertificatesBackend for ServerBackend {
    async fn certificate(&self, code: &str) -> Result<CertificatePage, AppError> {
        let viewer = signed_in()?;
        let found = crate::certificates::routes::owned_by(&self.pool, &viewer, code).await?;
        let state = self.form_state("certificate").await?;
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

    async fn admin_certificates(&self) -> Result<AdminCertificatesPage, AppError> {
        admin()?;
        let preview = self
            .take_kept::<app::certificates::BulkPreview>(crate::certificates::routes::BULK_PREVIEW)
            .await?;
        let state = self.form_state("admin-certificates").await?;
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
    AppError::not_found(super::routes::no_such_certificate(code))
}
