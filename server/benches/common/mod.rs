//! What the benchmarks share.

use std::time::Duration;

/// The value at quantile `p` (0 to 1) of `samples`, in milliseconds.
pub fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index].as_secs_f64() * 1000.0
}

/// Settings for an in-process benchmark app on a SQLite file in `dir` (no mail server:
/// messages are files in `dir/outbox`).
#[allow(dead_code, reason = "not every benchmark starts an app")]
pub fn settings(
    dir: &std::path::Path,
    content: std::path::PathBuf,
    public_url: &str,
    password_cost: server::accounts::password::HashCost,
) -> server::Settings {
    server::Settings {
        database_url: format!("sqlite:{}", dir.join("bench.db").display()),
        content_dir: content,
        site_root: dir.join("site"),
        public_url: public_url.to_owned(),
        provider: "Grand Rounds".to_owned(),
        trusted_proxies: Vec::new(),
        password_cost,
        key_dir: dir.join("keys"),
        import_content: true,
        mail: server::mail::MailSettings {
            smtp_url: None,
            outbox_dir: dir.join("outbox"),
            from: None,
        },
    }
}
