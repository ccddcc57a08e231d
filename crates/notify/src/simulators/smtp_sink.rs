//! A mail server that keeps what it receives: enough SMTP for lettre (EHLO,
//! AUTH PLAIN, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), no relaying.
//! Recipients whose address starts with `reject` are refused with 550, as a
//! server refuses an unknown mailbox; the first `fail_first` transactions are
//! refused with 451 at MAIL FROM, as a busy server does.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::{Behaviour, lock};

/// A message the sink accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The user name given with AUTH PLAIN, if any.
    pub auth_user: Option<String>,
    /// The message as sent, headers and encoded body, dot-stuffing removed.
    pub data: String,
}

impl ReceivedMail {
    /// A header's value, unfolded and with RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = split_message(&self.data);
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| decode_words(v.trim()))
        })
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> Option<String> {
        self.header("Subject")
    }

    /// The body decoded from its transfer encoding, lines ending in `\n`.
    pub fn text(&self) -> Option<String> {
        let (_, body) = split_message(&self.data);
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                STANDARD.decode(compact).ok()?
            }
            "quoted-printable" => {
                quoted_printable::decode(body, quoted_printable::ParseMode::Robust).ok()?
            }
            _ => body.as_bytes().to_vec(),
        };
        Some(String::from_utf8(bytes).ok()?.replace("\r\n", "\n"))
    }
}

fn split_message(data: &str) -> (&str, &str) {
    data.split_once("\r\n\r\n").unwrap_or((data, ""))
}

/// Decodes `=?charset?B?…?=` and `=?charset?Q?…?=` words (UTF-8 assumed);
/// whitespace between two encoded words is dropped, as RFC 2047 §6.2 says.
fn decode_words(v: &str) -> String {
    let mut out = String::new();
    let mut last_encoded = false;
    for (i, token) in v.split_whitespace().enumerate() {
        let decoded = token
            .strip_prefix("=?")
            .and_then(|t| t.strip_suffix("?="))
            .and_then(|t| {
                let mut parts = t.splitn(3, '?');
                let (_charset, enc, text) = (parts.next()?, parts.next()?, parts.next()?);
                let bytes = match enc {
                    "B" | "b" => STANDARD.decode(text).ok()?,
                    "Q" | "q" => quoted_printable::decode(
                        text.replace('_', " "),
                        quoted_printable::ParseMode::Robust,
                    )
                    .ok()?,
                    _ => return None,
                };
                String::from_utf8(bytes).ok()
            });
        if i > 0 && !(last_encoded && decoded.is_some()) {
            out.push(' ');
        }
        last_encoded = decoded.is_some();
        out.push_str(decoded.as_deref().unwrap_or(token));
    }
    out
}

struct Shared {
    behaviour: Behaviour,
    transactions: AtomicU32,
    received: Mutex<Vec<ReceivedMail>>,
}

/// A running SMTP sink.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts a sink.
    pub async fn start(behaviour: Behaviour) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            behaviour,
            transactions: AtomicU32::new(0),
            received: Mutex::new(Vec::new()),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&state);
                tokio::spawn(async move {
                    let _ = session(stream, &state).await;
                });
            }
        });
        Ok(Self { addr, shared, task })
    }

    /// The port to connect to on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Messages accepted so far, in order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        lock(&self.shared.received).clone()
    }

    /// Transactions (MAIL FROM commands) seen, refused ones included.
    pub fn transactions(&self) -> u32 {
        self.shared.transactions.load(Ordering::SeqCst)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The address inside `MAIL FROM:<…>` or `RCPT TO:<…>`.
fn address(arg: &str) -> String {
    let a = arg.split_once(':').map_or(arg, |(_, a)| a).trim();
    let a = a.split_whitespace().next().unwrap_or("");
    a.trim_start_matches('<').trim_end_matches('>').to_owned()
}

async fn session(stream: TcpStream, s: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 motcua-smtp-sink ESMTP ready\r\n")
        .await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut auth_user: Option<String> = None;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if lines.read_until(b'\n', &mut buf).await? == 0 {
            return Ok(());
        }
        let line = String::from_utf8_lossy(&buf).trim_end().to_owned();
        let (verb, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        tokio::time::sleep(s.behaviour.delay).await;
        let reply: String = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                "250-motcua-smtp-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN".to_owned()
            }
            "HELO" => "250 motcua-smtp-sink".to_owned(),
            "AUTH" => {
                let mut parts = arg.split_whitespace();
                let decoded = match (parts.next(), parts.next()) {
                    (Some(m), Some(b)) if m.eq_ignore_ascii_case("PLAIN") => {
                        STANDARD.decode(b).ok()
                    }
                    _ => None,
                };
                let user = decoded.and_then(|d| {
                    let text = String::from_utf8(d).ok()?;
                    text.split('\0').nth(1).map(str::to_owned)
                });
                match user {
                    Some(u) => {
                        auth_user = Some(u);
                        "235 2.7.0 authenticated".to_owned()
                    }
                    None => "535 5.7.8 authentication failed".to_owned(),
                }
            }
            "MAIL" => {
                let n = s.transactions.fetch_add(1, Ordering::SeqCst) + 1;
                if n <= s.behaviour.fail_first {
                    "451 4.3.0 simulated failure, try again later".to_owned()
                } else {
                    from = Some(address(arg));
                    to.clear();
                    "250 2.1.0 ok".to_owned()
                }
            }
            "RCPT" => {
                let a = address(arg);
                if from.is_none() {
                    "503 5.5.1 MAIL first".to_owned()
                } else if a.starts_with("reject") {
                    "550 5.1.1 no such mailbox".to_owned()
                } else {
                    to.push(a);
                    "250 2.1.5 ok".to_owned()
                }
            }
            "DATA" => match (&from, to.is_empty()) {
                (Some(f), false) => {
                    write
                        .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let data = read_data(&mut lines).await?;
                    let mut received = lock(&s.received);
                    received.push(ReceivedMail {
                        from: f.clone(),
                        to: std::mem::take(&mut to),
                        auth_user: auth_user.clone(),
                        data,
                    });
                    from = None;
                    format!("250 2.0.0 ok: queued as {}", received.len())
                }
                _ => "503 5.5.1 MAIL and RCPT first".to_owned(),
            },
            "RSET" => {
                from = None;
                to.clear();
                "250 2.0.0 ok".to_owned()
            }
            "NOOP" => "250 2.0.0 ok".to_owned(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 command not recognised".to_owned(),
        };
        write.write_all(reply.as_bytes()).await?;
        write.write_all(b"\r\n").await?;
    }
}

/// Lines up to the lone full stop, with dot-stuffing undone.
async fn read_data<R: AsyncBufReadExt + Unpin>(lines: &mut R) -> std::io::Result<String> {
    let mut data = String::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if lines.read_until(b'\n', &mut buf).await? == 0 {
            return Ok(data);
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\r', '\n']);
        if line == "." {
            return Ok(data);
        }
        data.push_str(line.strip_prefix('.').unwrap_or(line));
        data.push_str("\r\n");
    }
}
