//! The guard of a web app on the learner's (or instructor's) machine that shows what a
//! swarm holds: `lab serve`, and any other axum app that reuses it (the live class view).
//! A page from any other site the learner visits can make the browser send requests to
//! 127.0.0.1; the guard decides which get an answer:
//!
//! - **Host**: only `127.0.0.1:<port>`, `localhost:<port>` (and the `--bind` address)
//!   are answered; any other Host (DNS rebinding) gets 403.
//! - **Cross-site** (on the API, the paths under [`Guard::api_prefix`]): an `Origin` that
//!   is not the app's own, or a `Sec-Fetch-Site` other than `same-origin` or `none` (a
//!   page of another site, or of another port of this machine), gets 403. Clients that
//!   send neither (curl, scripts) are answered, but are not the learner's own page:
//!   [`Guard::same_origin`] tells handlers which requests may write progress.
//! - **Headers** on every answer: a Content-Security-Policy that lets a page run only its
//!   own scripts (files of this server, and the inline scripts of that very page, by
//!   their SHA-256 hashes) and connect only to this server, `X-Content-Type-Options:
//!   nosniff`, `Referrer-Policy: no-referrer`. No CORS header is ever sent.
//! - **Event streams**: at most [`MAX_STREAMS`] at once ([`StreamCap`]); beyond, 429.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Concurrent event streams one server keeps open.
pub const MAX_STREAMS: usize = 16;

/// The largest page whose inline scripts are hashed for its policy (the book's biggest
/// pages are a few hundred KiB).
const MAX_PAGE: usize = 16 << 20;

/// Who may talk to the app: its own Host values and origins, and its API's path prefix.
#[derive(Debug, Clone)]
pub struct Guard {
    hosts: Vec<String>,
    api_prefix: String,
}

impl Guard {
    /// Answers to `127.0.0.1:<port>`, `localhost:<port>`, and `addr` itself when bound
    /// elsewhere; `api_prefix` (e.g. `/api/`) is where cross-site requests are refused.
    pub fn for_addr(addr: SocketAddr, api_prefix: &str) -> Guard {
        let port = addr.port();
        let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
        if !addr.ip().is_loopback() && !addr.ip().is_unspecified() {
            hosts.push(addr.to_string());
        }
        Guard { hosts, api_prefix: api_prefix.to_string() }
    }

    /// Whether `host` (a Host header) names this app.
    pub fn allows_host(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether `origin` (an Origin header) is one of this app's own.
    pub fn is_own_origin(&self, origin: &str) -> bool {
        self.hosts.iter().any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}")))
    }

    /// The path prefix of the API.
    pub fn api_prefix(&self) -> &str {
        &self.api_prefix
    }

    /// Why a request to the API is refused as cross-site, if it is.
    pub fn cross_site(&self, headers: &HeaderMap) -> Option<String> {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("?");
            if !self.is_own_origin(origin) {
                return Some(format!("Origin {origin} is not this server's"));
            }
        }
        match headers.get("sec-fetch-site").map(|v| v.to_str().unwrap_or("?")) {
            None | Some("same-origin") | Some("none") => None,
            Some(other) => Some(format!("Sec-Fetch-Site: {other}")),
        }
    }

    /// Whether a request comes from a page of this app (`Sec-Fetch-Site: same-origin`, or
    /// its own `Origin`): only those may change what the learner keeps, such as progress.
    pub fn same_origin(&self, headers: &HeaderMap) -> bool {
        if self.cross_site(headers).is_some() {
            return false;
        }
        let own_origin =
            headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).is_some_and(|o| self.is_own_origin(o));
        own_origin || headers.get("sec-fetch-site").is_some_and(|v| v == "same-origin")
    }

    fn forbidden(&self, why: &str) -> Response {
        let body = format!(
            "403: {why}; this server answers only its own pages, at {}: open the book at http://{}/\n",
            self.hosts.join(" or "),
            self.hosts[0]
        );
        (StatusCode::FORBIDDEN, body).into_response()
    }
}

/// The concurrent event streams of one app: a permit per open stream, held until the
/// stream is dropped.
#[derive(Debug, Clone)]
pub struct StreamCap {
    open: Arc<Semaphore>,
    max: usize,
}

impl StreamCap {
    pub fn new(max: usize) -> StreamCap {
        StreamCap { open: Arc::new(Semaphore::new(max)), max }
    }

    /// A permit for one more stream, or [`TooManyStreams`] when `max` are open.
    pub fn permit(&self) -> Result<OwnedSemaphorePermit, TooManyStreams> {
        self.open.clone().try_acquire_owned().map_err(|_| TooManyStreams(self.max))
    }
}

/// Every stream of a [`StreamCap`] is taken: answered with 429 and `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyStreams(pub usize);

impl IntoResponse for TooManyStreams {
    fn into_response(self) -> Response {
        let body = format!(
            "429: {} event streams are open already; close a tab of the book (or wait for one to end)\n",
            self.0
        );
        (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "5")], body).into_response()
    }
}

impl Default for StreamCap {
    fn default() -> StreamCap {
        StreamCap::new(MAX_STREAMS)
    }
}

/// The SHA-256 sources (`'sha256-…'`) of a page's inline scripts: the text between each
/// `<script …>` without a `src` attribute and its `</script>`, as the browser hashes it.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else { break };
        let tag = &lower[start..tag_end];
        let body_start = tag_end + 1;
        let Some(body_end) = lower[body_start..].find("</script").map(|i| body_start + i) else { break };
        let external = tag.split(|c: char| c.is_ascii_whitespace()).any(|attr| attr.starts_with("src="));
        if !external {
            let digest = Sha256::digest(&html.as_bytes()[body_start..body_end]);
            let source = format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest));
            if !hashes.contains(&source) {
                hashes.push(source);
            }
        }
        at = body_end;
    }
    hashes
}

/// The Content-Security-Policy of an answer: scripts from this server and, for a page,
/// its own inline scripts by hash; connections to this server only; no plugins, frames
/// or foreign forms. Styles may be inline (mdBook sets them in its pages).
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut scripts = String::from("'self'");
    for h in script_hashes {
        scripts.push(' ');
        scripts.push_str(h);
    }
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The middleware: Host, cross-site refusal on the API, and the headers of every answer.
pub async fn guard(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !guard.allows_host(host) {
        let why = format!("Host {host:?} is not this server");
        return with_headers(guard.forbidden(&why), &[]);
    }
    if req.uri().path().starts_with(guard.api_prefix()) {
        if let Some(why) = guard.cross_site(req.headers()) {
            return with_headers(guard.forbidden(&format!("a cross-site request ({why})")), &[]);
        }
    }
    let response = next.run(req).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !is_html {
        return with_headers(response, &[]);
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => {
            let hashes = inline_script_hashes(&String::from_utf8_lossy(&bytes));
            with_headers(Response::from_parts(parts, Body::from(bytes)), &hashes)
        }
        Err(_) => with_headers((StatusCode::INTERNAL_SERVER_ERROR, "page too large\n").into_response(), &[]),
    }
}

fn with_headers(mut response: Response, script_hashes: &[String]) -> Response {
    let h = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(script_hashes)) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_loopback_names_with_our_port_are_allowed() {
        let a = Guard::for_addr("127.0.0.1:4000".parse().unwrap(), "/api/");
        assert!(a.allows_host("127.0.0.1:4000") && a.allows_host("localhost:4000") && a.allows_host("LOCALHOST:4000"));
        for bad in ["evil.example:4000", "127.0.0.1:4001", "localhost", "127.0.0.1", "", "[::1]:4000"] {
            assert!(!a.allows_host(bad), "{bad}");
        }
        let lan = Guard::for_addr("192.168.1.5:4000".parse().unwrap(), "/api/");
        assert!(lan.allows_host("192.168.1.5:4000") && lan.allows_host("localhost:4000"));
    }

    #[test]
    fn cross_site_requests_are_told_from_our_own_pages() {
        let g = Guard::for_addr("127.0.0.1:4000".parse().unwrap(), "/api/");
        assert_eq!(g.cross_site(&headers(&[])), None, "curl");
        assert_eq!(g.cross_site(&headers(&[("origin", "http://127.0.0.1:4000")])), None);
        assert_eq!(g.cross_site(&headers(&[("sec-fetch-site", "same-origin")])), None);
        assert_eq!(g.cross_site(&headers(&[("sec-fetch-site", "none")])), None, "typed in the address bar");
        for bad in [
            &[("origin", "http://evil.example")][..],
            &[("origin", "http://localhost:8080")],
            &[("origin", "null")],
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "same-site")],
            &[("origin", "http://127.0.0.1:4000"), ("sec-fetch-site", "cross-site")],
        ] {
            assert!(g.cross_site(&headers(bad)).is_some(), "{bad:?}");
        }
        assert!(g.same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(g.same_origin(&headers(&[("origin", "http://localhost:4000")])));
        assert!(!g.same_origin(&headers(&[])), "a script's request writes no progress");
        assert!(!g.same_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!g.same_origin(&headers(&[("origin", "http://evil.example"), ("sec-fetch-site", "same-origin")])));
    }

    #[test]
    fn inline_scripts_are_hashed_as_the_browser_hashes_them() {
        let page = "<script>var a = 1;</script><SCRIPT src=\"x.js\"></SCRIPT><script class=\"x\">\nb()\n</script><script>var a = 1;</script>";
        let h = inline_script_hashes(page);
        let sha = |s: &str| format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s)));
        assert_eq!(h, [sha("var a = 1;"), sha("\nb()\n")]);
        // The empty script's hash, as browsers and CSP tools give it.
        assert_eq!(sha(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
        let csp = content_security_policy(&h);
        assert!(csp.contains("script-src 'self' 'sha256-") && csp.contains("connect-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    }

    #[test]
    fn the_stream_cap_answers_429_beyond_its_size_and_frees_on_drop() {
        let cap = StreamCap::new(2);
        let (a, _b) = (cap.permit().unwrap(), cap.permit().unwrap());
        assert_eq!(cap.permit().unwrap_err().into_response().status(), StatusCode::TOO_MANY_REQUESTS);
        drop(a);
        assert!(cap.permit().is_ok());
    }
}
