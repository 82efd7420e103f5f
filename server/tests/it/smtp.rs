//! A small SMTP server for the tests: it speaks enough of RFC 5321 for lettre (EHLO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT), keeps every message it accepted, and can be told to refuse
//! (a 4xx or 5xx answer to MAIL FROM). Started by the test that needs it, stopped when
//! dropped.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// A header's value (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The decoded body of the part with this content type (`text/plain`, `text/html`).
    pub fn part(&self, content_type: &str) -> Option<String> {
        part(&self.data, content_type)
    }
}

/// The decoded body of the first MIME part of `content_type` in a raw message.
pub fn part(raw: &str, content_type: &str) -> Option<String> {
    let raw = raw.replace("\r\n", "\n");
    // Split at the message's own boundaries: a body line may start with "--" too (a
    // quoted-printable soft break before two dashes of a link's token).
    let mut marked = raw.clone();
    for piece in raw.split("boundary=\"").skip(1) {
        if let Some((boundary, _)) = piece.split_once('"') {
            marked = marked.replace(&format!("\n--{boundary}"), "\n\u{0}");
        }
    }
    let separator = if marked == raw { "\n--" } else { "\n\u{0}" };
    for section in marked.split(separator) {
        let Some((head, body)) = section.split_once("\n\n") else {
            continue;
        };
        let lower = head.to_ascii_lowercase();
        if !lower.contains(&format!("content-type: {content_type}")) {
            continue;
        }
        let body = body.trim_end_matches('\n');
        return Some(
            if lower.contains("content-transfer-encoding: quoted-printable") {
                quoted_printable(body)
            } else if lower.contains("content-transfer-encoding: base64") {
                use base64::Engine as _;
                let joined: String = body.split_whitespace().collect();
                String::from_utf8_lossy(
                    &base64::engine::general_purpose::STANDARD
                        .decode(joined)
                        .expect("base64 part"),
                )
                .into_owned()
            } else {
                body.to_owned()
            },
        );
    }
    None
}

fn quoted_printable(body: &str) -> String {
    let mut bytes = Vec::new();
    let joined = body.replace("=\n", "");
    let raw = joined.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'='
            && i + 2 < raw.len()
            && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            bytes.push(byte);
            i += 3;
            continue;
        }
        bytes.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The first link in `text` that starts with `prefix`.
pub fn link(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no link starting {prefix} in:\n{text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .expect("a link")
        .to_owned()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// `451` to MAIL FROM: try again later.
    Busy,
    /// `550` to MAIL FROM: refused for good.
    Refuse,
}

pub struct SmtpServer {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub mode: Arc<Mutex<Mode>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A port nothing listens on (bound, then let go).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

impl SmtpServer {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let mode = Arc::new(Mutex::new(Mode::Accept));
        let (store, modes) = (received.clone(), mode.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (store, modes) = (store.clone(), modes.clone());
                tokio::spawn(async move {
                    let _ = session(stream, store, modes).await;
                });
            }
        });
        Self {
            port,
            received,
            mode,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().expect("lock") = mode;
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<Received>>>,
    mode: Arc<Mutex<Mode>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 test.smtp ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            write
                .write_all(b"250-test.smtp\r\n250 8BITMIME\r\n")
                .await?;
        } else if upper.starts_with("MAIL FROM:") {
            let current = *mode.lock().expect("lock");
            match current {
                Mode::Accept => {
                    from = command[10..].trim().to_owned();
                    to.clear();
                    write.write_all(b"250 OK\r\n").await?;
                }
                Mode::Busy => write.write_all(b"451 4.3.0 Try again later\r\n").await?,
                Mode::Refuse => write.write_all(b"550 5.7.1 Refused\r\n").await?,
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().to_owned());
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                // Dot-stuffing undone.
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            store.lock().expect("lock").push(Received {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            write.write_all(b"250 OK queued\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else {
            write.write_all(b"502 Command not implemented\r\n").await?;
        }
    }
}
