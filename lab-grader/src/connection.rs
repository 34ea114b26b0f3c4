//! Connecting to an engine with bollard and pinning an API version the engine supports.
//!
//! bollard's own negotiation is unreliable (bollard issue #736), so we ask `/version` with
//! an old API version every engine accepts, then reconnect pinned to
//! `min(engine's API version, MAX_API)`. Everything the grader sends is a GET.

use crate::endpoint::Endpoint;
use bollard::{ClientVersion, Docker};
use std::time::Duration;

/// The newest API version the grader asks for; engines newer than this are read at it.
pub const MAX_API: (usize, usize) = (1, 47);
/// The oldest engine API the grader reads (Docker 20.10).
pub const MIN_API: (usize, usize) = (1, 41);

/// Why a cluster could not be read. [`crate::grade::GradeStatus::of`] names it, for
/// gradebooks and for `lab check --format json` errors alike.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ClusterError {
    #[error("cannot reach the engine at {host}: {why}. Is it running, and is DOCKER_HOST (or the context) right?")]
    Unreachable { host: String, why: String },
    #[error("TLS with the engine at {host} failed: {why}. Check the CA, certificate and key (DOCKER_CERT_PATH or the context's TLS files)")]
    Tls { host: String, why: String },
    #[error("the engine at {host} is not in swarm mode (swarm: {state}). Run `docker swarm init` or point at a swarm manager")]
    NotSwarm { host: String, state: String },
    #[error("the engine at {host} is a swarm worker; only managers can list services. Point DOCKER_HOST or --host at a manager{managers}")]
    NotManager { host: String, managers: String },
    #[error("the engine at {host} did not answer within {secs:.1}s")]
    Timeout { host: String, secs: f64 },
    #[error("the engine at {host} answered with an error: {why}")]
    Engine { host: String, why: String },
}

/// Maps a bollard error to the kind of failure a learner can act on.
pub(crate) fn classify(host: &str, e: &bollard::errors::Error) -> ClusterError {
    use bollard::errors::Error as B;
    let mut why = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !why.contains(&t) {
            why.push_str(": ");
            why.push_str(&t);
        }
        src = s.source();
    }
    let lower = why.to_lowercase();
    // Classified on the whole chain above; shown to the learner in plain words.
    let why = crate::cause::in_plain_words(e);
    match e {
        B::DockerResponseServerError { status_code, message } => {
            if message.contains("not a swarm manager") {
                ClusterError::NotManager { host: host.into(), managers: String::new() }
            } else if message.contains("not part of a swarm") || message.contains("swarm mode") && *status_code == 503 {
                ClusterError::NotSwarm { host: host.into(), state: "inactive".into() }
            } else {
                ClusterError::Engine { host: host.into(), why: format!("HTTP {status_code}: {message}") }
            }
        }
        B::RequestTimeoutError => ClusterError::Timeout { host: host.into(), secs: 0.0 },
        _ if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
            || lower.contains("unknownissuer")
            || lower.contains("cert") && lower.contains("path") =>
        {
            ClusterError::Tls { host: host.into(), why }
        }
        _ if lower.contains("timed out") => ClusterError::Timeout { host: host.into(), secs: 0.0 },
        _ if lower.contains("connect")
            || lower.contains("no such file")
            || lower.contains("refused")
            || lower.contains("socket")
            || lower.contains("io error")
            || lower.contains("ssh")
            || lower.contains("dns") =>
        {
            ClusterError::Unreachable { host: host.into(), why }
        }
        _ => ClusterError::Engine { host: host.into(), why },
    }
}

fn open(ep: &Endpoint, version: (usize, usize), timeout: Duration) -> Result<Docker, ClusterError> {
    let v = ClientVersion { major_version: version.0, minor_version: version.1 };
    let secs = timeout.as_secs().max(1);
    let h = ep.host.as_str();
    let r = if let Some(path) = h.strip_prefix("unix://") {
        if !std::path::Path::new(path).exists() {
            return Err(ClusterError::Unreachable { host: h.into(), why: format!("no socket at {path}") });
        }
        Docker::connect_with_unix(h, secs, &v)
    } else if h.starts_with("ssh://") {
        crate::ssh::connect(h, secs, &v)
    } else if let Some(tls) = &ep.tls {
        Docker::connect_with_ssl(h, &tls.key, &tls.cert, &tls.ca, secs, &v)
    } else {
        Docker::connect_with_http(h, secs, &v)
    };
    r.map_err(|e| classify(h, &e))
}

fn parse_api(v: &str) -> Option<(usize, usize)> {
    let (a, b) = v.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// A connection pinned to a negotiated API version.
#[derive(Clone)]
pub struct Connection {
    pub docker: Docker,
    pub endpoint: Endpoint,
    /// `1.41`
    pub api_version: String,
    /// The engine's own version (`20.10.24`).
    pub engine_version: String,
}

impl Connection {
    /// Connects and negotiates; `timeout` bounds each request.
    pub async fn open(ep: &Endpoint, timeout: Duration) -> Result<Connection, ClusterError> {
        let probe = open(ep, (1, 24), timeout)?;
        let version = tokio::time::timeout(timeout, probe.version())
            .await
            .map_err(|_| ClusterError::Timeout { host: ep.host.clone(), secs: timeout.as_secs_f64() })?
            .map_err(|e| classify(&ep.host, &e))?;
        let engine_api = version.api_version.as_deref().and_then(parse_api).unwrap_or(MIN_API);
        if engine_api < MIN_API {
            return Err(ClusterError::Engine {
                host: ep.host.clone(),
                why: format!(
                    "engine API {}.{} is older than {}.{} (Docker 20.10); upgrade the engine",
                    engine_api.0, engine_api.1, MIN_API.0, MIN_API.1
                ),
            });
        }
        let pinned = engine_api.min(MAX_API);
        Ok(Connection {
            docker: open(ep, pinned, timeout)?,
            endpoint: ep.clone(),
            api_version: format!("{}.{}", pinned.0, pinned.1),
            engine_version: version.version.unwrap_or_default(),
        })
    }
}
