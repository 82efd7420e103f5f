//! What the benchmarks share.

use std::time::Duration;

/// The value at quantile `p` (0 to 1) of `samples`, in milliseconds.
#[allow(dead_code, reason = "not every benchmark takes percentiles")]
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

/// The origin in-process benchmark apps are told they serve (forms are posted from it).
#[allow(dead_code, reason = "not every benchmark starts an app")]
pub const ORIGIN: &str = "http://127.0.0.1:3000";

/// What an in-process app answered: status, `Location`, the session cookie it set, body.
#[allow(dead_code, reason = "not every benchmark starts an app")]
pub struct Answer {
    pub status: http::StatusCode,
    pub location: String,
    pub cookie: Option<String>,
    pub body: String,
}

/// Sends `request` through `router` and reads the whole answer.
#[allow(dead_code, reason = "not every benchmark starts an app")]
pub async fn call(router: &axum::Router, request: http::Request<axum::body::Body>) -> Answer {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("router answers");
    let status = response.status();
    let (parts, body) = response.into_parts();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header("location").unwrap_or_default();
    let cookie = header("set-cookie").map(|c| c.split(';').next().unwrap_or_default().to_owned());
    let bytes = body.collect().await.expect("body").to_bytes();
    Answer {
        status,
        location,
        cookie,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A form post from [`ORIGIN`], signed in with `cookie` if given.
#[allow(dead_code, reason = "not every benchmark starts an app")]
pub fn post(path: &str, body: String, cookie: Option<&str>) -> http::Request<axum::body::Body> {
    let mut request = http::Request::post(path)
        .header("origin", ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(axum::body::Body::from(body)).expect("request")
}

/// Copies a folder (the demo content) recursively.
#[allow(dead_code, reason = "not every benchmark copies content")]
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// A new, empty PostgreSQL database on the cluster `admin` (a superuser URL) names.
#[allow(dead_code, reason = "not every benchmark uses PostgreSQL")]
pub async fn fresh_database(admin: &str) -> String {
    use sqlx::Connection as _;
    let suffix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.subsec_nanos());
    let name = format!("bench_{}_{suffix}", std::process::id());
    let mut connection = sqlx::PgConnection::connect(admin).await.expect("connect");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .expect("create database");
    let (base, _) = admin.rsplit_once('/').expect("a database in the URL");
    format!("{base}/{name}")
}

/// This process's resident memory now and at its peak (`VmRSS`, `VmHWM`), in MiB: an
/// in-process benchmark's server is this process.
#[allow(dead_code, reason = "not every benchmark reads its memory")]
pub fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let read = |field: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    (read("VmRSS:"), read("VmHWM:"))
}

/// Prints [`memory_mib`] as every benchmark's last line, and records the peak as a
/// [`figure`] named after `bench`.
#[allow(dead_code, reason = "not every benchmark reads its memory")]
pub fn print_memory(bench: &str) {
    let (now, peak) = memory_mib();
    println!(
        "memory (RSS of this process, server and load together): now {now:.0} MiB, peak {peak:.0} MiB"
    );
    figure(
        &format!("{bench}: peak memory (RSS of the benchmark process)"),
        &format!("{peak:.0} MiB"),
        "",
    );
}

/// Records one headline figure for `bench/run-all`, which collects them into a table in
/// `bench/results/`: appends the line `name<TAB>value<TAB>target` to the file that
/// `BENCH_FIGURES` names, when it is set and not empty (`target` is "" when the benchmark
/// states none). Prints nothing to stdout; tabs and newlines in the arguments become
/// spaces; a file that cannot be written is a warning on stderr, never a panic.
#[allow(dead_code, reason = "each benchmark uses part of this module")]
pub fn figure(name: &str, value: &str, target: &str) {
    use std::io::Write as _;
    let Some(path) = std::env::var_os("BENCH_FIGURES").filter(|path| !path.is_empty()) else {
        return;
    };
    let clean = |text: &str| text.replace(['\t', '\n', '\r'], " ");
    let line = format!("{}\t{}\t{}\n", clean(name), clean(value), clean(target));
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(error) = written {
        eprintln!(
            "warning: could not add the figure {name:?} to {}: {error}",
            std::path::Path::new(&path).display()
        );
    }
}
