//! Connecting to an engine with bollard and pinning an API version the engine supports.
//!
//! Unix sockets, Windows named pipes, plain TCP and ssh go through our `transport` module, which
//! reads the engine's API version from the first answer's `Api-Version` header: opening
//! sends nothing, and the first snapshot is one concurrent round. TLS goes through
//! bollard's own client, which shows no headers, so there we ask `/version` first (with an
//! old API version every engine accepts; bollard's own negotiation is unreliable, bollard
//! issue #736) and reconnect pinned to `min(engine's API version, MAX_API)`. Everything the
//! grader sends is a GET.

use crate::endpoint::Endpoint;
use crate::transport::{self, Facts, SharedFacts};
use bollard::{ClientVersion, Docker};
use lab_i18n::{words, Language};
use std::sync::Arc;
use std::time::Duration;

/// The newest API version the grader asks for; engines newer than this are read at it.
pub const MAX_API: (usize, usize) = (1, 47);
/// The oldest engine API the grader reads (Docker 20.10).
pub const MIN_API: (usize, usize) = (1, 41);

/// Why a cluster could not be read. The grader's `GradeStatus::of` names it, for
/// gradebooks and for `lab check --format json` errors alike. It displays in English;
/// [`ClusterError::text`] tells it in another language.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterError {
    Unreachable {
        host: String,
        why: String,
    },
    Tls {
        host: String,
        why: String,
    },
    NotSwarm {
        host: String,
        state: String,
    },
    /// `managers`: the addresses of the swarm's managers, comma-separated (empty: unknown).
    NotManager {
        host: String,
        managers: String,
    },
    Timeout {
        host: String,
        secs: f64,
    },
    Engine {
        host: String,
        why: String,
    },
}

impl ClusterError {
    /// The error in `lang`: what went wrong and what to do next. Host, state and the
    /// engine's own words stay as they are; the reasons `lab` words itself are translated.
    pub fn text(&self, lang: Language) -> String {
        let reason = |why: &str| reason(lang, why);
        match self {
            ClusterError::Unreachable { host, why } => {
                lang.fill(words::CLUSTER_UNREACHABLE, &[("host", host), ("why", &reason(why))])
            }
            ClusterError::Tls { host, why } => lang.fill(words::CLUSTER_TLS, &[("host", host), ("why", &reason(why))]),
            ClusterError::NotSwarm { host, state } => {
                lang.fill(words::CLUSTER_NOT_SWARM, &[("host", host), ("state", state)])
            }
            ClusterError::NotManager { host, managers } if managers.is_empty() => {
                lang.fill(words::CLUSTER_NOT_MANAGER, &[("host", host)])
            }
            ClusterError::NotManager { host, managers } => {
                lang.fill(words::CLUSTER_NOT_MANAGER_LISTED, &[("host", host), ("managers", managers)])
            }
            ClusterError::Timeout { host, secs } => {
                lang.fill(words::CLUSTER_TIMEOUT, &[("host", host), ("seconds", &format!("{secs:.1}"))])
            }
            ClusterError::Engine { host, why } => {
                lang.fill(words::CLUSTER_ENGINE_ERROR, &[("host", host), ("why", &reason(why))])
            }
        }
    }
}

/// The reasons `lab` words itself with one value in them (the others are plain [`words`]).
const REASONS: [&str; 5] = [
    words::NO_SOCKET_AT,
    words::TLS_CERTIFICATE_REFUSED,
    words::TLS_CLOSED_IN_HANDSHAKE,
    words::UNIX_SOCKET_ON_WINDOWS,
    words::NPIPE_NOT_HERE,
];

/// A reason in `lang`: one of [`REASONS`] with its value (itself a reason, maybe) told
/// again, or a plain word, or the engine's or the system's own words as they are.
fn reason(lang: Language, why: &str) -> String {
    if lang.is_english() {
        return why.to_string();
    }
    for template in REASONS {
        if let Some((name, value)) = unfill(template, why) {
            return lang.fill(template, &[(name, &reason(lang, value))]);
        }
    }
    lang.tr(why).into_owned()
}

/// The placeholder name and value when `text` is `template` (one placeholder) filled in.
fn unfill<'t>(template: &'t str, text: &'t str) -> Option<(&'t str, &'t str)> {
    let (before, rest) = template.split_once('{')?;
    let (name, after) = rest.split_once('}')?;
    let value = text.strip_prefix(before)?.strip_suffix(after)?;
    (!value.is_empty()).then_some((name, value))
}

impl std::fmt::Display for ClusterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Language::english()))
    }
}

impl std::error::Error for ClusterError {}

/// Maps a bollard error to the kind of failure a learner can act on, by the types in its
/// source chain (never by its wording): a TLS error anywhere is `Tls`; an I/O timeout is
/// `Timeout`; a socket or connection that failed is `Unreachable`; an HTTP error status is
/// the engine's answer. The message says why in plain words ([`crate::cause`]), made safe
/// for a terminal (it is the engine's, or the network's, not ours).
pub fn classify(host: &str, e: &bollard::errors::Error) -> ClusterError {
    use bollard::errors::Error as B;
    let host = host.to_string();
    // Our own transport's I/O errors are wrapped transparently: read the I/O error itself.
    let why = match e {
        B::IOError { err } => crate::cause::in_plain_words(err),
        e => crate::cause::in_plain_words(e),
    };
    let why = crate::untrusted::terminal_line(&why).into_owned();
    match e {
        B::DockerResponseServerError { status_code, message } => {
            let message = crate::untrusted::terminal_line(message).into_owned();
            // 503 is the engine's "not a swarm manager"; it tells a node outside any swarm
            // from a worker only in its advice (`docker swarm init` for the former).
            match *status_code {
                503 if message.contains("swarm init") => ClusterError::NotSwarm { host, state: "inactive".into() },
                503 => ClusterError::NotManager { host, managers: String::new() },
                code => ClusterError::Engine { host, why: format!("HTTP {code}: {message}") },
            }
        }
        B::RequestTimeoutError => ClusterError::Timeout { host, secs: 0.0 },
        B::CertPathError { .. }
        | B::CertMultipleKeys { .. }
        | B::CertParseError { .. }
        | B::NoNativeCertsError { .. }
        | B::LoadNativeCertsErrors { .. }
        | B::NoHomePathError => ClusterError::Tls { host, why },
        B::SocketNotFoundError(_) => ClusterError::Unreachable { host, why },
        _ => match transport_failure(e) {
            Some(Transport::Tls) => ClusterError::Tls { host, why: refused_certificate(e).unwrap_or(why) },
            Some(Transport::TimedOut) => ClusterError::Timeout { host, secs: 0.0 },
            Some(Transport::Unreachable) => ClusterError::Unreachable { host, why },
            None => ClusterError::Engine { host, why },
        },
    }
}

/// The engine's TLS alert that it turned our client certificate down, in plain words.
fn refused_certificate(e: &bollard::errors::Error) -> Option<String> {
    use rustls::AlertDescription as A;
    chain(e).iter().find_map(|err| match err.downcast_ref::<rustls::Error>()? {
        rustls::Error::AlertReceived(
            alert @ (A::BadCertificate
            | A::UnknownCA
            | A::CertificateUnknown
            | A::CertificateRequired
            | A::UnsupportedCertificate
            | A::AccessDenied),
        ) => Some(Language::english().fill(words::TLS_CERTIFICATE_REFUSED, &[("alert", &format!("{alert:?}"))])),
        _ => None,
    })
}

/// What went wrong below HTTP, when something did.
#[derive(Debug, PartialEq)]
enum Transport {
    Tls,
    TimedOut,
    Unreachable,
}

/// The errors in `e`'s chain, outermost first, including those wrapped inside an
/// `io::Error` and inside bollard's transparent variants (whose `source()` skips the
/// error they wrap).
fn chain(e: &bollard::errors::Error) -> Vec<&(dyn std::error::Error + 'static)> {
    use bollard::errors::Error as B;
    let mut all: Vec<&(dyn std::error::Error + 'static)> = vec![e];
    let mut next: Option<&(dyn std::error::Error + 'static)> = match e {
        B::IOError { err } => Some(err),
        B::HyperResponseError { err } => Some(err),
        _ => std::error::Error::source(e),
    };
    while let Some(err) = next {
        all.push(err);
        next = match err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    all
}

fn transport_failure(e: &bollard::errors::Error) -> Option<Transport> {
    use std::io::ErrorKind as K;
    let errors = chain(e);
    if errors.iter().any(|err| err.is::<rustls::Error>()) {
        return Some(Transport::Tls);
    }
    let io_kinds = errors.iter().filter_map(|err| err.downcast_ref::<std::io::Error>()).map(|io| io.kind());
    let mut failure = None;
    for kind in io_kinds {
        match kind {
            K::TimedOut => return Some(Transport::TimedOut),
            K::NotFound
            | K::ConnectionRefused
            | K::ConnectionReset
            | K::ConnectionAborted
            | K::NotConnected
            | K::AddrNotAvailable
            | K::BrokenPipe
            | K::UnexpectedEof
            | K::PermissionDenied
            | K::HostUnreachable
            | K::NetworkUnreachable => failure = Some(Transport::Unreachable),
            _ => {}
        }
    }
    if failure.is_some() {
        return failure;
    }
    for err in &errors {
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            if h.is_timeout() {
                return Some(Transport::TimedOut);
            }
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return Some(Transport::Unreachable);
            }
        }
        if err.downcast_ref::<hyper_util::client::legacy::Error>().is_some_and(|l| l.is_connect()) {
            return Some(Transport::Unreachable);
        }
    }
    None
}

/// Tells a refused client certificate from an engine that is not there. With TLS 1.3 the
/// client finishes its handshake before the engine checks the client's certificate, so a
/// refusal reaches us only as a connection closed or reset under the first request: the
/// same I/O errors as an engine that went away. When that happens, one plain TCP connect
/// to the same address decides: it is accepted, so the engine is up and turned our TLS
/// down; it is refused, so the engine is unreachable as reported.
async fn refused_tls(host: &str, e: ClusterError, timeout: Duration) -> ClusterError {
    let ClusterError::Unreachable { why, .. } = &e else {
        return e;
    };
    let Some(addr) = tcp_address(host) else {
        return e;
    };
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr.as_str())).await {
        Ok(Ok(_)) => ClusterError::Tls {
            host: host.into(),
            why: Language::english().fill(words::TLS_CLOSED_IN_HANDSHAKE, &[("why", why)]),
        },
        _ => e,
    }
}

/// `host:port` of a `tcp://` or `https://` engine address.
fn tcp_address(host: &str) -> Option<String> {
    let rest = host.strip_prefix("tcp://").or_else(|| host.strip_prefix("https://"))?;
    let addr = rest.split('/').next()?;
    (!addr.is_empty()).then(|| addr.to_string())
}

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
        if let Some(dial) = transport::dial(h, ep.tls.is_some())? {
            let facts = Arc::new(SharedFacts::default());
            let docker = transport::connect(dial, facts.clone(), secs).map_err(|e| classify(h, &e))?;
            return Ok(Connection { docker, endpoint: ep.clone(), facts });
        }
        let probe = open(ep, (1, 24), timeout)?;
        let version = match tokio::time::timeout(timeout, probe.version()).await {
            Err(_) => return Err(ClusterError::Timeout { host: ep.host.clone(), secs: timeout.as_secs_f64() }),
            Ok(Err(e)) => return Err(refused_tls(&ep.host, classify(&ep.host, &e), timeout).await),
            Ok(Ok(version)) => version,
        };
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
    pub fn pinned(&self) -> bool {
        self.facts.get().pinned.is_some()
    }

    /// Pins requests to `version` (after an answer without an `Api-Version` header).
    pub(crate) fn pin(&self, version: (usize, usize)) {
        self.facts.set(|f| f.pinned = Some(version));
    }

    /// Settles the API version after a round of reads: refuses an engine older than
    /// [`MIN_API`], pins to [`MIN_API`] when no answer said a version (a proxy that drops
    /// `Api-Version`), and says whether a round sent `unversioned` (before the connection
    /// was [`pinned`](Self::pinned)) must be read again because the engine answered at its
    /// own version, newer than ours or unknown.
    pub fn settle_version(&self, unversioned: bool) -> Result<bool, ClusterError> {
        let api = self.engine_api();
        if let Some(api) = api {
            check_api(&self.endpoint.host, api)?;
        } else if unversioned {
            self.pin(MIN_API);
        }
        Ok(unversioned && (api.is_none() || api.is_some_and(|a| a > MAX_API)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::errors::Error as B;
    use std::io;

    /// The variant's name, as the gradebook's status column names it.
    fn status(e: &ClusterError) -> &'static str {
        match e {
            ClusterError::Unreachable { .. } => "unreachable",
            ClusterError::Tls { .. } => "tls_error",
            ClusterError::NotSwarm { .. } => "not_swarm",
            ClusterError::NotManager { .. } => "not_manager",
            ClusterError::Timeout { .. } => "timeout",
            ClusterError::Engine { .. } => "error",
        }
    }

    fn io(kind: io::ErrorKind) -> B {
        B::IOError { err: io::Error::new(kind, "boom") }
    }

    #[test]
    fn io_failures_are_unreachable_or_timeouts_by_kind() {
        for kind in [
            io::ErrorKind::NotFound,
            io::ErrorKind::ConnectionRefused,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::UnexpectedEof,
            io::ErrorKind::PermissionDenied,
            io::ErrorKind::NotConnected,
            io::ErrorKind::BrokenPipe,
        ] {
            assert_eq!(status(&classify("h", &io(kind))), "unreachable", "{kind:?}");
        }
        assert_eq!(status(&classify("h", &io(io::ErrorKind::TimedOut))), "timeout");
        assert_eq!(status(&classify("h", &B::RequestTimeoutError)), "timeout");
        // An I/O error of no transport kind is the engine's problem, whatever it says.
        let odd = B::IOError { err: io::Error::other("connection refused by tls socket") };
        assert_eq!(status(&classify("h", &odd)), "error");
        assert_eq!(status(&classify("h", &B::SocketNotFoundError("/x".into()))), "unreachable");
    }

    #[test]
    fn a_tls_error_anywhere_in_the_chain_is_tls() {
        let rustls_err = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = B::IOError { err: io::Error::new(io::ErrorKind::InvalidData, rustls_err) };
        let e = classify("tcp://h:2376", &wrapped);
        assert_eq!(status(&e), "tls_error");
        assert!(e.to_string().contains("UnknownIssuer"), "{e}");
        assert_eq!(status(&classify("h", &B::CertPathError { path: "/nope".into() })), "tls_error");
    }

    #[test]
    fn an_alert_refusing_the_client_certificate_says_so() {
        let alert = |a| B::IOError { err: io::Error::new(io::ErrorKind::InvalidData, rustls::Error::AlertReceived(a)) };
        let e = classify("tcp://h:2376", &alert(rustls::AlertDescription::BadCertificate));
        assert_eq!(status(&e), "tls_error");
        assert!(e.to_string().contains("did not accept the client certificate (TLS alert BadCertificate)"), "{e}");
        // Other alerts keep rustls' own words.
        let e = classify("tcp://h:2376", &alert(rustls::AlertDescription::ProtocolVersion));
        assert_eq!(status(&e), "tls_error");
        assert!(!e.to_string().contains("client certificate ("), "{e}");
    }

    fn unreachable(host: &str) -> ClusterError {
        ClusterError::Unreachable { host: host.into(), why: "the connection was reset".into() }
    }

    #[tokio::test]
    async fn a_tls_connection_closed_by_a_listening_engine_is_a_tls_error() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = format!("tcp://{}", listener.local_addr().unwrap());
        let e = refused_tls(&host, unreachable(&host), Duration::from_secs(5)).await;
        assert_eq!(status(&e), "tls_error", "{e}");
        assert!(e.to_string().contains("client certificate"), "{e}");
        assert!(e.to_string().contains("the connection was reset"), "the first failure is kept: {e}");
    }

    #[tokio::test]
    async fn a_tls_connection_to_a_closed_port_stays_unreachable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let host = format!("tcp://{}", listener.local_addr().unwrap());
        drop(listener);
        let e = refused_tls(&host, unreachable(&host), Duration::from_secs(5)).await;
        assert_eq!(e, unreachable(&host));
        // Other failures are never re-read.
        let timeout = ClusterError::Timeout { host: host.clone(), secs: 1.0 };
        assert_eq!(refused_tls(&host, timeout.clone(), Duration::from_secs(5)).await, timeout);
    }

    #[test]
    fn tls_addresses_are_tcp_host_and_port() {
        assert_eq!(tcp_address("tcp://127.0.0.1:2376").as_deref(), Some("127.0.0.1:2376"));
        assert_eq!(tcp_address("https://engine.example:2376/").as_deref(), Some("engine.example:2376"));
        assert_eq!(tcp_address("unix:///var/run/docker.sock"), None);
        assert_eq!(tcp_address("tcp://"), None);
    }

    #[test]
    fn http_errors_are_the_engines_answer() {
        let server =
            |code: u16, message: &str| B::DockerResponseServerError { status_code: code, message: message.into() };
        let worker = "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state.";
        assert_eq!(status(&classify("h", &server(503, worker))), "not_manager");
        let outside = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";
        assert_eq!(status(&classify("h", &server(503, outside))), "not_swarm");
        let e = classify("h", &server(500, "connection refused\u{1b}[2J"));
        assert_eq!(status(&e), "error", "an engine's words do not make it unreachable");
        assert_eq!(e, ClusterError::Engine { host: "h".into(), why: "HTTP 500: connection refused\u{FFFD}[2J".into() });
        let garbled = B::JsonDataError { message: "expected value".into(), column: 1 };
        assert_eq!(status(&classify("h", &garbled)), "error");
    }

    #[test]
    fn the_message_is_made_inert() {
        let e = classify("h", &B::IOError { err: io::Error::new(io::ErrorKind::NotConnected, "no\u{1b}]0;x\u{7}") });
        assert_eq!(e, ClusterError::Unreachable { host: "h".into(), why: "no\u{FFFD}]0;x\u{FFFD}".into() });
    }

    #[test]
    fn cluster_errors_speak_chinese_and_keep_the_engines_own_words() {
        let zh = Language::parse("zh-TW").unwrap();
        let e = ClusterError::Unreachable { host: "unix:///x.sock".into(), why: "no socket at /x.sock".into() };
        assert_eq!(e.text(zh), "無法連到位於 unix:///x.sock 的 engine：/x.sock 沒有 socket。它有在執行嗎？DOCKER_HOST（或 context）設定正確嗎？");
        let e = ClusterError::Tls { host: "h".into(), why: words::CAUSE_TIMED_OUT.into() };
        assert!(e.text(zh).contains("連線逾時"), "{}", e.text(zh));
        let e = ClusterError::Engine { host: "h".into(), why: "HTTP 500: boom".into() };
        assert!(e.text(zh).ends_with("：HTTP 500: boom"), "{}", e.text(zh));
        let e = ClusterError::NotManager { host: "h".into(), managers: "10.0.0.1:2377".into() };
        assert!(e.to_string().ends_with("at a manager (managers: 10.0.0.1:2377)"), "{e}");
        assert!(e.text(zh).ends_with("（Manager：10.0.0.1:2377）"), "{}", e.text(zh));
        // A reason with a value in it, holding another reason.
        let why = Language::english().fill(words::TLS_CLOSED_IN_HANDSHAKE, &[("why", &words::CAUSE_CLOSED)]);
        let e = ClusterError::Tls { host: "tcp://h:2376".into(), why };
        assert!(e.to_string().contains("closed it during TLS (the connection was closed before"), "{e}");
        let zh_text = e.text(zh);
        assert!(zh_text.contains("在 TLS 交握期間關閉了連線（engine 回應之前連線就被關閉了"), "{zh_text}");
        assert!(!zh_text.contains("the engine"), "{zh_text}");
        // The transport's reasons for an address this system cannot reach, on any system.
        let pipe = "npipe:////./pipe/docker_engine";
        let why = Language::english().fill(words::UNIX_SOCKET_ON_WINDOWS, &[("pipe", &pipe)]);
        let e = ClusterError::Unreachable { host: "unix:///var/run/docker.sock".into(), why };
        assert!(e.text(zh).contains(&format!("Docker Desktop 監聽的是 {pipe}")), "{}", e.text(zh));
    }

    #[tokio::test]
    async fn an_engine_that_hangs_up_before_answering_is_unreachable() {
        // Through our own transport, as `lab check` reads a `tcp://` engine: something on the
        // port (an engine going down) reads the request and closes the connection. hyper's
        // error sits in bollard's transparent variant, whose `source()` skips it.
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = format!("tcp://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let (mut request, mut chunk) = (Vec::new(), [0u8; 1024]);
            // Read the whole request first, so the close is a clean FIN, not a reset.
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&chunk[..n]),
                }
            }
        });
        let dial = transport::dial(&host, false).unwrap().expect("tcp goes through our transport");
        let docker = transport::connect(dial, Arc::new(SharedFacts::default()), 5).unwrap();
        let e = docker.version().await.unwrap_err();
        let c = classify(&host, &e);
        assert_eq!(status(&c), "unreachable", "{e:?} is {c}");
    }

    #[tokio::test]
    async fn a_connection_gone_before_the_request_went_out_is_unreachable() {
        // The engine hung up before our request was sent: hyper says the connection closed
        // (or the request was canceled), with no I/O error to tell by.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = tokio::net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake::<_, String>(hyper_util::rt::TokioIo::new(stream)).await.unwrap();
        drop(conn);
        let req = hyper::Request::get("/version").body(String::new()).unwrap();
        let e = B::from(sender.send_request(req).await.unwrap_err());
        assert_eq!(status(&classify("tcp://h:2375", &e)), "unreachable", "{e:?}");
    }
}
