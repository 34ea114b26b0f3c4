//! The Host-header guard. A page from another site can make the browser send requests to
//! 127.0.0.1 through a DNS name that resolves there (DNS rebinding); such requests carry
//! that name as Host. Only `127.0.0.1:<port>` and `localhost:<port>` (and the `--bind`
//! address when given) are served; everything else gets 403. No CORS header is ever sent,
//! so pages of other origins cannot read the answers either.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The Host values this server answers to.
#[derive(Debug, Clone)]
pub struct Allowed(Vec<String>);

impl Allowed {
    /// `127.0.0.1:<port>`, `localhost:<port>`, and `addr` itself when bound elsewhere.
    pub fn for_addr(addr: SocketAddr) -> Allowed {
        let port = addr.port();
        let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
        if !addr.ip().is_loopback() && !addr.ip().is_unspecified() {
            hosts.push(addr.to_string());
        }
        Allowed(hosts)
    }

    pub fn allows(&self, host: &str) -> bool {
        self.0.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

pub async fn guard(State(allowed): State<Arc<Allowed>>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !allowed.allows(host) {
        let body = format!(
            "403: this server answers only to {}; open the book at http://{}/\n",
            allowed.0.join(" or "),
            allowed.0[0]
        );
        return (StatusCode::FORBIDDEN, body).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_with_our_port_are_allowed() {
        let a = Allowed::for_addr("127.0.0.1:4000".parse().unwrap());
        assert!(a.allows("127.0.0.1:4000") && a.allows("localhost:4000") && a.allows("LOCALHOST:4000"));
        for bad in ["evil.example:4000", "127.0.0.1:4001", "localhost", "127.0.0.1", "", "[::1]:4000"] {
            assert!(!a.allows(bad), "{bad}");
        }
        let lan = Allowed::for_addr("192.168.1.5:4000".parse().unwrap());
        assert!(lan.allows("192.168.1.5:4000") && lan.allows("localhost:4000"));
    }
}
