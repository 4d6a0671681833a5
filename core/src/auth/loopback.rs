//! The loopback redirect of a native app (RFC 8252 §7.3): a listener on
//! 127.0.0.1 that waits for the provider to send the browser back with the
//! authorization's code, answers the browser with a short page, and hands
//! the redirect's parameters over. Other requests (a browser's favicon) get
//! a 404 and the wait goes on.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::authorize::Redirect;
use crate::{Error, ErrorKind, Result};

/// The path the redirect URI names.
const CALLBACK_PATH: &str = "/callback";

/// The most of a request we read: a redirect's query is far shorter.
const MAX_REQUEST: usize = 16 * 1024;

/// A listener waiting for one redirect.
pub struct Loopback {
    listener: TcpListener,
    addr: SocketAddr,
}

impl Loopback {
    /// Listens on 127.0.0.1 at `port` (0: a free one).
    pub async fn bind(port: u16) -> Result<Loopback> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .map_err(|e| {
                Error::config(format!(
                    "cannot listen on 127.0.0.1:{port} for the redirect: {e}"
                ))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::config(format!("loopback listener: {e}")))?;
        Ok(Loopback { listener, addr })
    }

    /// The redirect URI to register with the provider and send with the
    /// authorization.
    pub fn redirect_uri(&self) -> String {
        format!("http://{}{CALLBACK_PATH}", self.addr)
    }

    /// Waits up to `timeout` for the redirect and returns its parameters.
    pub async fn receive(self, timeout: Duration) -> Result<Redirect> {
        let wait = async {
            loop {
                let (stream, _) = self
                    .listener
                    .accept()
                    .await
                    .map_err(|e| Error::transient(format!("waiting for the redirect: {e}")))?;
                if let Some(redirect) = answer(stream).await {
                    return Ok(redirect);
                }
            }
        };
        tokio::time::timeout(timeout, wait).await.map_err(|_| {
            Error::new(
                ErrorKind::Cancelled,
                format!(
                    "no redirect came back within {} s; run the command again",
                    timeout.as_secs()
                ),
            )
        })?
    }
}

/// Reads one request; answers it; returns the redirect when it is one.
async fn answer(mut stream: TcpStream) -> Option<Redirect> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < MAX_REQUEST {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let redirect = (path == CALLBACK_PATH).then(|| parse_query(query));
    let (status, body) = match &redirect {
        Some(r) if r.get("error").is_some() => (
            "200 OK",
            "Tether was not given access. You can close this window.",
        ),
        Some(_) => (
            "200 OK",
            "Tether is connected. You can close this window and return to the terminal.",
        ),
        None => ("404 Not Found", "Not found."),
    };
    let page = format!(
        "<!doctype html><title>Tether</title><p style=\"font-family:sans-serif\">{body}</p>"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
    redirect
}

fn parse_query(query: &str) -> Redirect {
    let pairs: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    Redirect(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hands_over_the_redirect_and_ignores_other_requests() {
        let loopback = Loopback::bind(0).await.unwrap();
        let uri = loopback.redirect_uri();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/callback"));
        let base = uri.trim_end_matches("/callback").to_owned();
        let waiting = tokio::spawn(loopback.receive(Duration::from_secs(10)));
        let http = reqwest::Client::new();
        let favicon = http
            .get(format!("{base}/favicon.ico"))
            .send()
            .await
            .unwrap();
        assert_eq!(favicon.status(), 404);
        let page = http
            .get(format!("{uri}?code=abc%2F1&state=xyz&realmId=42"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let redirect = waiting.await.unwrap().unwrap();
        assert_eq!(redirect.get("code"), Some("abc/1"));
        assert_eq!(redirect.get("state"), Some("xyz"));
        assert_eq!(redirect.get("realmId"), Some("42"));
    }

    #[tokio::test]
    async fn gives_up_after_the_timeout() {
        let loopback = Loopback::bind(0).await.unwrap();
        let err = loopback
            .receive(Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Cancelled);
    }
}
