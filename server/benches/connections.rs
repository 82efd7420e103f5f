//! What connections cost and how they are served, over real sockets to the real connection
//! loop (`server::serve`) with its default limits:
//! - a small file fetched right after a page on the same kept-alive connection (Nagle's
//!   algorithm with the browser's delayed acknowledgement made it take 40 ms);
//! - a new visitor while more kept-alive connections than the cap sit idle (the header
//!   timer alone kept each for 10 s, so the visitor waited that long);
//! - the resident memory an idle kept-alive connection costs (what the cap is sized from).
//!
//! Needs an open-files limit above 2,000: `ulimit -n 8192; cargo bench -p server --bench connections`

mod common;
use common::percentile;
use server::{build_router, start};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const IDLE: usize = 2_000;

/// Reads one answer (head and a `Content-Length` body) and returns its status line.
async fn answer(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 16_384];
    loop {
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the server closed the connection");
        bytes.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&bytes);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                return text.lines().next().unwrap_or_default().to_owned();
            }
        }
    }
}

async fn get(stream: &mut TcpStream, path: &str) -> Duration {
    let started = Instant::now();
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .expect("send");
    let status = answer(stream).await;
    assert!(status.contains(" 200 "), "{path}: {status}");
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = common::settings(
        dir.path(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"),
        common::ORIGIN,
        server::accounts::password::HashCost::Fast,
    );
    // A stylesheet of the size the site's is, where the built site keeps it.
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    std::fs::write(pkg.join("grandrounds.css"), "a{color:#036}\n".repeat(900)).expect("css");
    let state = start(&settings).await.expect("start");
    let router = build_router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let limits = server::serve::Limits::default();
    tokio::spawn(server::serve::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ));

    // 1. A page, then its stylesheet on the same connection, 200 times.
    let mut pages = Vec::new();
    let mut files = Vec::new();
    for _ in 0..200 {
        let mut browser = TcpStream::connect(address).await.expect("connect");
        pages.push(get(&mut browser, "/").await);
        files.push(get(&mut browser, "/pkg/grandrounds.css").await);
    }
    println!(
        "connection benchmark (real sockets on loopback, {} cores, {limits:?})",
        std::thread::available_parallelism().map_or(1, usize::from),
    );
    let (page50, page95) = (percentile(&mut pages, 0.50), percentile(&mut pages, 0.95));
    let (file50, file95) = (percentile(&mut files, 0.50), percentile(&mut files, 0.95));
    println!("home page on a new connection:            p50 {page50:.2} ms  p95 {page95:.2} ms");
    println!("stylesheet after it, same connection:     p50 {file50:.2} ms  p95 {file95:.2} ms");
    common::figure(
        "connections, home page on a new connection: p50",
        &format!("{page50:.2} ms"),
        "",
    );
    common::figure(
        "connections, home page on a new connection: p95",
        &format!("{page95:.2} ms"),
        "",
    );
    common::figure(
        "connections, stylesheet after it on the same connection: p50",
        &format!("{file50:.2} ms"),
        "",
    );
    common::figure(
        "connections, stylesheet after it on the same connection: p95",
        &format!("{file95:.2} ms"),
        "",
    );

    // 2. More idle kept-alive connections than the cap, then a new visitor.
    let (before, _) = common::memory_mib();
    let idle = (limits.max_connections + 100).min(IDLE);
    let mut open = Vec::new();
    for _ in 0..idle {
        let mut browser = TcpStream::connect(address).await.expect("connect");
        browser
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .expect("send");
        open.push(browser);
    }
    let started = Instant::now();
    for browser in &mut open {
        answer(browser).await;
    }
    let all_answered = started.elapsed();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let started = Instant::now();
    let mut visitor = TcpStream::connect(address).await.expect("connect");
    get(&mut visitor, "/healthz").await;
    let visitor_ms = started.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{idle} kept-alive connections answered in {:.2} s; then a new visitor answered in {visitor_ms:.1} ms",
        all_answered.as_secs_f64(),
    );
    common::figure(
        &format!("connections, {idle} kept-alive at once: all answered in"),
        &format!("{:.2} s", all_answered.as_secs_f64()),
        "",
    );
    common::figure(
        &format!("connections, new visitor after {idle} kept-alive: answered in"),
        &format!("{visitor_ms:.1} ms"),
        "",
    );
    let (after, _) = common::memory_mib();
    let open_now = open.len();
    drop(open);

    // 3. What an idle connection costs: up to the cap, all answered and kept open.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (base, _) = common::memory_mib();
    let count = limits.max_connections.min(IDLE) - 10;
    let mut open = Vec::new();
    for _ in 0..count {
        let mut browser = TcpStream::connect(address).await.expect("connect");
        browser
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .expect("send");
        answer(&mut browser).await;
        open.push(browser);
    }
    let (held, _) = common::memory_mib();
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let each = (held - base) * 1024.0 / count as f64;
    println!(
        "{count} idle kept-alive connections: {base:.0} → {held:.0} MiB, about {each:.0} KiB each (server and client sides); {open_now} open: {before:.0} → {after:.0} MiB"
    );
    common::figure(
        "connections, idle kept-alive: memory each (server and client sides)",
        &format!("{each:.0} KiB"),
        "",
    );
    drop(open);
    common::print_memory("connections");
}
