//! The transcript server functions: thin, each says who may call it, then hands over to the
//! backend ([`super::TranscriptBackend`]).

#[cfg(feature = "ssr")]
use crate::api::answer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The signed-in learner's own transcript. Signed-in users only.
#[server(input = GetUrl, prefix = "/api", endpoint = "transcript")]
pub async fn transcript_page(
    from: Option<String>,
    to: Option<String>,
) -> Result<crate::transcript::TranscriptPage, AppError> {
    answer(
        async {
            crate::service::backend()?
                .transcript(
                    from.as_deref().unwrap_or_default(),
                    to.as_deref().unwrap_or_default(),
                )
                .await
        }
        .await,
    )
}
