//! Connecting to an engine with bollard and pinning an API version the engine supports.
//!
//! Unix sockets, plain TCP and ssh go through our `transport` module, which
//! reads the engine's API version from the first answer's `Api-Version` header: opening
//! sends nothing, and the first snapshot is one concurrent round. TLS goes through
//! bollard's own client, which shows no headers, so there we ask `/version` first (with an
//! old API version every engine accepts; bollard's own negotiation is unreliable, bollard
//! issue #736) and reconnect pinned to `min(engine's API version, MAX_API)`. Everything the
//! grader sends is a GET.

use crate::endpoint::Endpoint;
use crate::transport::{self, Dial, Facts, SharedFacts};
use bollard::{ClientVersion, Docker};
use std::sync::Arc;
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
    // Classified on the whole chain above; shown to the learner in plain words. Our own
    // transport's I/O errors are wrapped transparently: read the I/O error itself.
    let why = match e {
        B::IOError { err } => crate::cause::in_plain_words(err),
        e => crate::cause::in_plain_words(e),
    };
    match e {
        B::DockerResponseServerError { status_code, message } => {
            // 503s of a manager-only endpoint: `Use "docker swarm init" or "docker swarm
            // join"` on an engine outside any swarm, otherwise a worker (or a manager still
            // being prepared, moments after `docker node promote`).
            if message.contains("swarm init") || message.contains("not part of a swarm") {
                ClusterError::NotSwarm { host: host.into(), state: "inactive".into() }
            } else if message.contains("not a swarm manager") {
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

/// A bollard client of its own (TLS), pinned to `version`.
fn open(ep: &Endpoint, version: (usize, usize), timeout: Duration) -> Result<Docker, ClusterError> {
    let v = ClientVersion { major_version: version.0, minor_version: version.1 };
    let secs = timeout.as_secs().max(1);
    let h = ep.host.as_str();
    let r = match &ep.tls {
        Some(tls) => Docker::connect_with_ssl(h, &tls.key, &tls.cert, &tls.ca, secs, &v),
        None => Docker::connect_with_http(h, secs, &v),
    };
    r.map_err(|e| classify(h, &e))
}

/// A connection pinned (now, or on its first answer) to an API version the engine speaks.
#[derive(Clone)]
pub struct Connection {
    pub docker: Docker,
    pub endpoint: Endpoint,
    facts: Arc<SharedFacts>,
}

impl Connection {
    /// Connects; `timeout` bounds each request. Over TLS this asks the engine's `/version`;
    /// otherwise nothing is sent until the first snapshot.
    pub async fn open(ep: &Endpoint, timeout: Duration) -> Result<Connection, ClusterError> {
        let h = ep.host.as_str();
        let secs = timeout.as_secs().max(1);
        let dial = if let Some(path) = h.strip_prefix("unix://") {
            if !std::path::Path::new(path).exists() {
                return Err(ClusterError::Unreachable { host: h.into(), why: format!("no socket at {path}") });
            }
            Some(Dial::Unix(path.into()))
        } else if h.starts_with("ssh://") {
            let target = crate::ssh::SshTarget::parse(h).map_err(|why| ClusterError::Engine { host: h.into(), why })?;
            Some(Dial::Ssh(target))
        } else if ep.tls.is_none() {
            let addr = h.strip_prefix("tcp://").or_else(|| h.strip_prefix("http://")).unwrap_or(h);
            Some(Dial::Tcp(addr.trim_end_matches('/').to_string()))
        } else {
            None
        };
        if let Some(dial) = dial {
            let facts = Arc::new(SharedFacts::default());
            let docker = transport::connect(dial, facts.clone(), secs).map_err(|e| classify(h, &e))?;
            return Ok(Connection { docker, endpoint: ep.clone(), facts });
        }
        let probe = open(ep, (1, 24), timeout)?;
        let version = tokio::time::timeout(timeout, probe.version())
            .await
            .map_err(|_| ClusterError::Timeout { host: ep.host.clone(), secs: timeout.as_secs_f64() })?
            .map_err(|e| classify(&ep.host, &e))?;
        let engine_api = version.api_version.as_deref().and_then(transport::parse_api).unwrap_or(MIN_API);
        check_api(&ep.host, engine_api)?;
        let pinned = engine_api.min(MAX_API);
        let facts = Facts { pinned: Some(pinned), api: Some(engine_api), engine: version.version };
        Ok(Connection {
            docker: open(ep, pinned, timeout)?,
            endpoint: ep.clone(),
            facts: Arc::new(SharedFacts::new(facts)),
        })
    }

    /// The API version requests are pinned to (`1.41`); empty before the first answer.
    pub fn api_version(&self) -> String {
        self.facts.get().pinned.map(|(a, b)| format!("{a}.{b}")).unwrap_or_default()
    }

    /// The engine's own version (`20.10.24`); empty when it did not say.
    pub fn engine_version(&self) -> String {
        self.facts.get().engine.unwrap_or_default()
    }

    /// The engine's own API version, once an answer has told it.
    pub(crate) fn engine_api(&self) -> Option<(usize, usize)> {
        self.facts.get().api
    }

    /// Whether requests are pinned to a version yet (false before the first answer).
    pub(crate) fn pinned(&self) -> bool {
        self.facts.get().pinned.is_some()
    }

    /// Pins requests to `version` (after an answer without an `Api-Version` header).
    pub(crate) fn pin(&self, version: (usize, usize)) {
        self.facts.set(|f| f.pinned = Some(version));
    }
}

/// Refuses engines older than [`MIN_API`].
pub(crate) fn check_api(host: &str, engine_api: (usize, usize)) -> Result<(), ClusterError> {
    if engine_api < MIN_API {
        return Err(ClusterError::Engine {
            host: host.into(),
            why: format!(
                "engine API {}.{} is older than {}.{} (Docker 20.10); upgrade the engine",
                engine_api.0, engine_api.1, MIN_API.0, MIN_API.1
            ),
        });
    }
    Ok(())
}
