//! The connection loop of `grandrounds serve`. `axum::serve` gives hyper no timer, so a
//! client sending one header line every few seconds could hold a connection (and its
//! memory) for ever, and it accepts any number of connections. Here:
//! - a request's head must arrive within [`Limits::header_read_timeout`];
//! - a kept-alive connection with nothing in flight is closed after
//!   [`Limits::idle_timeout`] (hyper's header timer alone held every page view's connection
//!   for the whole ten seconds: 900 idle browsers made the 901st visitor wait 9.7 s);
//! - at most [`Limits::max_connections`] are served at once; when they are all taken, the
//!   ones that have been quiet for [`DRAIN_QUIET`] with nothing in flight are closed at once
//!   to make room (as nginx does with its kept-alive connections), so a new visitor waits
//!   for a slot only while every connection is really busy;
//! - replies are sent without Nagle's delay (`TCP_NODELAY`): a small file after a page on a
//!   reused connection took 40 ms, waiting for the browser's delayed acknowledgement;
//! - a shutdown lets requests in flight finish.
//!
//! A connection is kept after a form's POST like after any other request: hyper closes it
//! only when the client asks, or when a request's body was not read to its end.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, TryAcquireError};
use tower::ServiceExt as _;

/// How long a connection with nothing in flight must have been quiet before it is closed to
/// make room for a new one: long enough for a browser's next request right after a page.
pub const DRAIN_QUIET: Duration = Duration::from_secs(1);

/// Files the process keeps open besides its connections: the database and its journal, the
/// pools' connections, the key and content folders, the outbox, logs.
const FILES_BESIDES_CONNECTIONS: u64 = 256;

/// The most connections served at once, whatever the open-files limit allows. An idle
/// kept-alive connection costs about 4 KiB of memory (`benches/connections.rs` prints it),
/// so this many cost about 40 MiB; what limits them is the file descriptors and the kernel's
/// socket buffers. With the idle timeout, a server this busy has thousands of learners
/// active at once.
const MOST_CONNECTIONS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time a connection has to send a complete request head (line and headers).
    pub header_read_timeout: Duration,
    /// Time a kept-alive connection may stay open with nothing in flight and nothing sent.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Time requests in flight get to finish after a shutdown signal.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            // Apache's default; long enough for a page's stylesheet, script and icon.
            idle_timeout: Duration::from_secs(5),
            // Below the usual limit of 1,024 open files, leaving room for the database.
            max_connections: 768,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl Limits {
    /// The defaults, with as many connections as this process may open files for: the soft
    /// open-files limit is raised to the hard one first (often 1,024 → 524,288), then
    /// [`FILES_BESIDES_CONNECTIONS`] are kept back, up to [`MOST_CONNECTIONS`].
    pub fn for_this_machine() -> Self {
        let files = match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(files) => files,
            Err(error) => {
                tracing::warn!(%error, "cannot raise the open-files limit");
                rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1_024, |(soft, _)| soft)
            }
        };
        let max_connections = usize::try_from(files.saturating_sub(FILES_BESIDES_CONNECTIONS))
            .unwrap_or(MOST_CONNECTIONS)
            .clamp(64, MOST_CONNECTIONS);
        tracing::info!(
            open_files = files,
            max_connections,
            "connections served at once"
        );
        Self {
            max_connections,
            ..Self::default()
        }
    }
}

/// What one connection is doing, as its socket, its requests and its watchdog see it.
struct Activity {
    opened: Instant,
    /// Milliseconds after `opened` when a byte was last read or written.
    last: AtomicU64,
    /// Requests received and not yet answered to the end of their body.
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            opened: Instant::now(),
            last: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        })
    }

    fn touch(&self) {
        let now = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(now, Ordering::Relaxed);
    }

    /// How long the connection has had nothing in flight and nothing sent either way;
    /// `None` while a request is in flight.
    fn quiet_for(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        Some(self.opened.elapsed().saturating_sub(last))
    }
}

/// Counts a request in flight from its arrival until its answer's body is dropped (sent
/// to the end, or abandoned with the connection).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A socket that notes when bytes pass through it.
struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until `shutdown` resolves; each request carries the
/// client's socket address as [`ConnectInfo`].
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    // HTTP/1.1 only: the TLS proxy in front speaks HTTP/2 to browsers. (hyper-util's
    // automatic protocol detection reads the first bytes with no timer at all, and
    // cleartext HTTP/2 has no header timeout, so either would let a silent client hold a
    // slot for ever.) The header timer starts when the connection does, so a client that
    // sends nothing is cut off too.
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // A small answer's head and body leave in one write (one packet).
        .writev(true);
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let drain = Arc::new(Notify::new());
    tokio::pin!(shutdown);
    'accepting: loop {
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::Closed) => break,
            Err(TryAcquireError::NoPermits) => loop {
                // Every slot is taken: quiet kept-alive connections make room. Asked again
                // every 100 ms, for connections that turn quiet meanwhile.
                drain.notify_waiters();
                tokio::select! {
                    permit = tokio::time::timeout(
                        Duration::from_millis(100),
                        permits.clone().acquire_owned(),
                    ) => match permit {
                        Ok(Ok(permit)) => break permit,
                        Ok(Err(_)) => break 'accepting,
                        Err(_) => {}
                    },
                    () = &mut shutdown => break 'accepting,
                }
            },
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, %remote, "cannot set TCP_NODELAY");
        }
        let activity = Activity::new();
        let service = {
            let activity = activity.clone();
            let router = router.clone();
            tower::service_fn(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                let in_flight = InFlight::start(activity.clone());
                router.clone().oneshot(request).map_ok_body(in_flight)
            })
        };
        let io = Watched {
            inner: stream,
            activity: activity.clone(),
        };
        let connection =
            builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        let drain = drain.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            loop {
                let wait = activity.quiet_for().map_or(limits.idle_timeout, |quiet| {
                    limits.idle_timeout.saturating_sub(quiet)
                });
                tokio::select! {
                    ended = &mut connection => {
                        if let Err(error) = ended {
                            tracing::debug!(%error, %remote, "connection ended with an error");
                        }
                        break;
                    }
                    () = tokio::time::sleep(wait) => {
                        if activity.quiet_for().is_some_and(|quiet| quiet >= limits.idle_timeout) {
                            break;
                        }
                    }
                    () = drain.notified() => {
                        if activity.quiet_for().is_some_and(|quiet| quiet >= DRAIN_QUIET) {
                            break;
                        }
                    }
                }
            }
            // Leaving the loop early drops the connection, which closes the socket.
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the shutdown grace period were cut off");
    }
}

/// Ties a request's [`InFlight`] to its answer's body, so it ends when the body does.
trait MapOkBody {
    fn map_ok_body(
        self,
        in_flight: InFlight,
    ) -> Pin<
        Box<dyn Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send>,
    >;
}

impl<F> MapOkBody for F
where
    F: Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send + 'static,
{
    fn map_ok_body(
        self,
        in_flight: InFlight,
    ) -> Pin<
        Box<dyn Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send>,
    > {
        Box::pin(async move {
            let response = self.await?;
            Ok(response.map(|body| {
                use http_body_util::BodyExt as _;
                axum::body::Body::new(body.map_err(move |error| {
                    let _ = &in_flight;
                    error
                }))
            }))
        })
    }
}
