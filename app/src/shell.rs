//! The HTML document around every page, and the router that picks the page.

use crate::accounts::account::AccountPage;
use crate::accounts::auth::{LoginPage, RegisterPage};
use crate::accounts::invitation::InvitationPage;
use crate::accounts::recovery::{ForgotPasswordPage, ResetPasswordPage};
use crate::accounts::users::AdminUsersPage;
use crate::attendance::learner::{PostTestAttemptRoute, PostTestRoute};
use crate::attendance::organizers::{AttendanceRoute, CodeRoute};
use crate::catalog::course::CoursePage;
use crate::catalog::home::HomePage;
use crate::catalog::lesson::LessonPage;
use crate::catalog::list::CatalogPage;
use crate::certificates::admin_certificates::AdminCertificatesRoute;
use crate::certificates::certificate::{CertificateRoute, VerifyRoute};
use crate::components::{RehearsalBanner, SiteFooter, SiteHeader};
use crate::learning::credit::CreditRoute;
use crate::learning::my_learning::LearningPage;
use crate::learning::quiz::{AttemptRoute, QuizRoute};
use crate::mail::outbox::AdminOutboxPage;
use crate::not_found::NotFound;
use crate::reports::console::AdminConsoleRoute;
use crate::reports::page::ReportsRoute;
use crate::studio::details::DetailsRoute;
use crate::studio::draft::{DraftRoute, FileRoute};
use crate::studio::list::StudioRoute;
use crate::studio::publish::{HistoryRoute, PublishRoute};
use crate::transcript::page::TranscriptRoute;
use crate::webinars::list::WebinarsPage;
use crate::webinars::page::WebinarRoute;
use crate::webinars::registrations::RegistrationsRoute;
use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// The site's description, for pages that have none of their own (each page names at most
/// one: a second `<meta name="description">` is invalid HTML).
pub const SITE_DESCRIPTION: &str = "Grand Rounds: accredited continuing education for health workers, light enough for a phone in a rural clinic.";

/// Whether a page has an island that does something: only these pages load the site's
/// script and wasm. Every other page is complete HTML and downloads neither (and is rendered
/// without hydration data: the server's page context).
pub fn has_island(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    // A studio file's live preview.
    matches!(parts.as_slice(), ["studio", _, _, "files", _])
}

/// This response's page has an island (see [`has_island`]).
fn scripted() -> bool {
    #[cfg(feature = "ssr")]
    return use_context::<http::request::Parts>().is_some_and(|parts| has_island(parts.uri.path()));
    #[cfg(not(feature = "ssr"))]
    true
}

/// The whole document: rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                {scripted().then(|| view! { <HydrationScripts options=options.clone() islands=true /> })}
                <FirstPaintStyle />
                <MetaTags />
            </head>
            <body>
                <App />
                // `id="leptos"`: what `cargo leptos watch` swaps when the sheet changes.
                <link rel="stylesheet" id="leptos" href=stylesheet_href(&options) />
            </body>
        </html>
    }
}

/// The stylesheet's first part (see `style/main.css`, "First paint ends here"), written into
/// every page's head: a page paints without waiting for a request. The whole sheet is linked at
/// the end of `<body>`, where it blocks nothing and stays cached under its hashed name.
#[cfg(feature = "ssr")]
pub mod first_paint {
    use std::sync::LazyLock;

    const SHEET: &str = include_str!("../../style/main.css");
    /// The line that ends the first part.
    pub const MARKER: &str = "/* ==== First paint ends here ====";

    /// The first part without comments and blank lines, exactly as the page carries it.
    pub static CSS: LazyLock<String> = LazyLock::new(|| {
        let end = SHEET.find(MARKER).unwrap_or(SHEET.len());
        strip_comments(&SHEET[..end])
    });

    /// Its CSP source, `'sha256-…'`: the one inline style a page may carry.
    pub static CSP_SOURCE: LazyLock<String> = LazyLock::new(|| {
        use base64::Engine;
        use sha2::Digest;
        let digest = sha2::Sha256::digest(CSS.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    });

    /// Drops `/* … */` comments (the sheet has no `/*` inside a string: a test checks) and
    /// blank lines, and trims each line.
    pub fn strip_comments(css: &str) -> String {
        let mut out = String::with_capacity(css.len());
        let mut rest = css;
        while let Some(start) = rest.find("/*") {
            out.push_str(&rest[..start]);
            rest = rest[start..]
                .find("*/")
                .map_or("", |end| &rest[start + end + 2..]);
        }
        out.push_str(rest);
        out.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_first_part_is_the_sheet_up_to_its_marker_without_comments() {
            assert!(
                SHEET.contains(MARKER),
                "style/main.css lost its first-paint marker"
            );
            assert!(CSS.contains(".site-header"), "{}", &CSS[..200]);
            assert!(CSS.contains(".prose table"));
            assert!(CSS.contains(".rehearsal-banner") && CSS.contains(".certificate"));
            assert!(!CSS.contains("table.diff"), "the studio's rules load later");
            assert!(!CSS.contains("/*") && !CSS.contains("*/"));
            // No string in the sheet holds a comment opener, so stripping cannot cut a rule.
            for quote in ['"', '\''] {
                for quoted in SHEET.split(quote).skip(1).step_by(2) {
                    assert!(!quoted.contains("/*"), "a string holds /*: {quoted}");
                }
            }
            assert!(!SHEET.contains("url("), "no url( whose text could hold /*");
            assert_eq!(
                strip_comments("a{}/* x */b{}\n\n  /* y\n z */ c{}"),
                "a{}b{}\nc{}"
            );
            assert!(CSP_SOURCE.starts_with("'sha256-") && CSP_SOURCE.ends_with("='"));
        }
    }
}

#[component]
fn FirstPaintStyle() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let css = first_paint::CSS.as_str();
    #[cfg(not(feature = "ssr"))]
    let css = "";
    view! { <style inner_html=css></style> }
}

/// `/pkg/<name>.<hash>.css`, read once from the hash file next to the binary (leptos_meta's
/// `HashedStylesheet` reads that file on every render).
fn stylesheet_href(options: &LeptosOptions) -> String {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let hash = options
            .hash_files
            .then(|| {
                let exe = std::env::current_exe().ok()?;
                let file = exe.parent()?.join(options.hash_file.as_ref());
                let text = std::fs::read_to_string(file).ok()?;
                text.lines().find_map(|line| {
                    let (kind, hash) = line.split_once(':')?;
                    (kind.trim() == "css").then(|| format!(".{}", hash.trim()))
                })
            })
            .flatten()
            .unwrap_or_default();
        format!(
            "/{}/{}{hash}.css",
            options.site_pkg_dir, options.output_name
        )
    })
    .clone()
}

/// The page CSP: a page with an island names this response's nonce, so only Leptos' own
/// inline scripts run; any other page runs no script at all (and, having no nonce, is
/// served from the page cache as it was stored).
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use http::header::{CONTENT_SECURITY_POLICY, HeaderValue};
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let script_src = match scripted().then(leptos::nonce::use_nonce).flatten() {
        Some(nonce) => format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None if scripted() => "script-src 'self' 'wasm-unsafe-eval'".to_owned(),
        None => "script-src 'none'".to_owned(),
    };
    let style_src = first_paint::CSP_SOURCE.as_str();
    let policy = format!(
        "default-src 'self'; {script_src}; style-src 'self' {style_src}; img-src 'self' data:; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
         object-src 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // Leptos writes a title's text as it is: escaped here, so a course titled
        // `</title><script>…` stays text.
        <Title formatter=|title: String| {
            if title.is_empty() {
                "Grand Rounds".to_owned()
            } else {
                format!("{} · Grand Rounds", crate::forms::escape_html(&title))
            }
        } />
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <RehearsalBanner />
            <SiteHeader />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/courses") view=CatalogPage ssr=SsrMode::Async />
                    <Route path=path!("/webinars") view=WebinarsPage ssr=SsrMode::Async />
                    <Route path=path!("/webinars/:webinar") view=WebinarRoute ssr=SsrMode::Async />
                    <Route
                        path=path!("/webinars/:webinar/registrations")
                        view=RegistrationsRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/webinars/:webinar/attendance")
                        view=AttendanceRoute
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/webinars/:webinar/code") view=CodeRoute ssr=SsrMode::Async />
                    <Route
                        path=path!("/webinars/:webinar/post-test")
                        view=PostTestRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/webinars/:webinar/post-test/:number")
                        view=PostTestAttemptRoute
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/forgot-password")
                        view=ForgotPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/reset-password")
                        view=ResetPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/invitation") view=InvitationPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminConsoleRoute ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/reports") view=ReportsRoute ssr=SsrMode::Async />
                    <Route path=path!("/admin/outbox") view=AdminOutboxPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/admin/certificates")
                        view=AdminCertificatesRoute
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/studio") view=StudioRoute ssr=SsrMode::Async />
                    <Route path=path!("/studio/:kind/:slug") view=DraftRoute ssr=SsrMode::Async />
                    <Route
                        path=path!("/studio/:kind/:slug/files/:name")
                        view=FileRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/studio/:kind/:slug/publish")
                        view=PublishRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/studio/:kind/:slug/details")
                        view=DetailsRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/studio/:kind/:slug/history")
                        view=HistoryRoute
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/learning") view=LearningPage ssr=SsrMode::Async />
                    <Route path=path!("/transcript") view=TranscriptRoute ssr=SsrMode::Async />
                    <Route
                        path=path!("/learning/:course/quiz/:kind")
                        view=QuizRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/learning/:course/quiz/:kind/:number")
                        view=AttemptRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/certificates/:code")
                        view=CertificateRoute
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/verify/:code") view=VerifyRoute ssr=SsrMode::Async />
                    <Route
                        path=path!("/learning/:course/credit")
                        view=CreditRoute
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/courses/:course") view=CoursePage ssr=SsrMode::Async />
                    <Route
                        path=path!("/courses/:course/:lesson")
                        view=LessonPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <SiteFooter />
            {scripted().then(|| view! { <HydrationMark /> })}
        </Router>
    }
}

/// Marks a page with an island once the browser has taken over (browser tests wait for
/// it). Pages without an island load no script, so this never runs there.
#[island]
fn HydrationMark() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(|| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}
