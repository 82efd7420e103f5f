//! The one clock every part of the server reads: now, in UTC, as the database stores it
//! (RFC 3339), as an instant, as seconds and as today's date. Tests and rehearsals of a
//! session day move it ([`set_clock`], [`start_rehearsal`]); nothing else reads the system
//! clock for what it stores or decides.

/// The one clock: now, in UTC, as stored (RFC 3339, to the second or finer).
pub fn now() -> String {
    now_instant()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|error| {
            // Only a date past the year 9999 fails to format.
            tracing::error!(%error, "the clock could not be formatted");
            String::from("1970-01-01T00:00:00Z")
        })
}

/// Milliseconds added to the system clock: 0 unless [`set_clock`] moved it (a rehearsal of a
/// session day, or a test that must stand after a date).
static CLOCK_OFFSET: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// The one clock, as an instant.
pub fn now_instant() -> time::OffsetDateTime {
    let offset = CLOCK_OFFSET.load(std::sync::atomic::Ordering::Relaxed);
    time::OffsetDateTime::now_utc() + time::Duration::milliseconds(offset)
}

/// Sets the one clock to `at`; it runs on from there. For the whole process: tests that use
/// it run one per process (nextest).
pub fn set_clock(at: time::OffsetDateTime) {
    // Milliseconds rounded up: a truncated offset would start the clock a moment before `at`
    // (in the second before it), and a session opening at that instant would not be open.
    let nanos = (at - time::OffsetDateTime::now_utc()).whole_nanoseconds();
    let offset =
        i64::try_from(nanos.div_euclid(1_000_000) + i128::from(nanos.rem_euclid(1_000_000) > 0))
            .unwrap_or(i64::MAX);
    CLOCK_OFFSET.store(offset, std::sync::atomic::Ordering::Relaxed);
}

/// Where a rehearsal started the one clock (`serve --clock`), for the banner on every page.
static REHEARSAL: std::sync::OnceLock<time::OffsetDateTime> = std::sync::OnceLock::new();

/// Starts the one clock at `at` for a rehearsal (`serve --clock`, `GRANDROUNDS_CLOCK`): it
/// runs on from there, and every page says so.
pub fn start_rehearsal(at: time::OffsetDateTime) {
    set_clock(at);
    let _ = REHEARSAL.set(at);
}

/// The instant a rehearsal clock started at, if one runs.
pub fn rehearsal() -> Option<time::OffsetDateTime> {
    REHEARSAL.get().copied()
}

/// Today's date by the one clock, `YYYY-MM-DD` (the form content dates are written in).
pub fn today() -> String {
    let date = now_instant().date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Seconds since the Unix epoch, by the same clock.
pub fn now_secs() -> i64 {
    now_instant().unix_timestamp()
}
