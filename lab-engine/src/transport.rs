//! HTTP to the engine over a byte stream (a unix socket, a Windows named pipe, plain TCP, or
//! `ssh … docker system dial-stdio`), reading what every answer's headers say about
//! the engine: `Api-Version` and `Server` (`Docker/20.10.24 (linux)`). Unix sockets, named
//! pipes and TCP take one connection per request (cheap); ssh keeps one connection per engine
//! ([`crate::ssh::Session`]), as each new one costs an ssh handshake. Unix sockets are not
//! reachable from Windows (Docker Desktop listens on a named pipe there), named pipes only
//! from Windows: [`dial`] says so before anything is sent.
//!
//! That is what lets the first snapshot go out in one concurrent round without asking
//! `/version` (or `/info`) first, both slow on 20.10 (dockerd asks runc and containerd for
//! their versions every time): until an answer has told the engine's API version, requests
//! go out without a version prefix, which the engine answers at its own version; after
//! that they are pinned to `min(engine's version, MAX_API)`.

use crate::connection::{ClusterError, MAX_API};
use crate::ssh::{Session, SshTarget};
use bollard::{BollardRequest, ClientVersion, Docker};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, HOST};
use hyper_util::rt::TokioIo;
use lab_i18n::{words, Language};
use std::sync::{Arc, Mutex};

/// Where the bytes go.
#[derive(Debug, Clone)]
pub(crate) enum Dial {
    #[cfg(unix)]
    Unix(std::path::PathBuf),
    /// `\\.\pipe\docker_engine`
    #[cfg(windows)]
    NamedPipe(String),
    /// `host:port`
    Tcp(String),
    Ssh(SshTarget),
}

/// How our transport reaches `host`; `None` for a `tcp://` engine with TLS, which goes
/// through bollard's own client. An address of a kind this system cannot reach (a unix
/// socket on Windows, a named pipe elsewhere) is `Unreachable`, saying what to use instead.
pub(crate) fn dial(host: &str, tls: bool) -> Result<Option<Dial>, ClusterError> {
    let unreachable = |why: String| ClusterError::Unreachable { host: host.into(), why };
    if let Some(path) = host.strip_prefix("unix://") {
        return unix_socket(path).map(Some).map_err(unreachable);
    }
    if host.starts_with("npipe://") {
        return named_pipe(host).map(Some).map_err(unreachable);
    }
    if host.starts_with("ssh://") {
        let target = SshTarget::parse(host).map_err(|why| ClusterError::Engine { host: host.into(), why })?;
        return Ok(Some(Dial::Ssh(target)));
    }
    if tls {
        return Ok(None);
    }
    let addr = host.strip_prefix("tcp://").or_else(|| host.strip_prefix("http://")).unwrap_or(host);
    Ok(Some(Dial::Tcp(addr.trim_end_matches('/').to_string())))
}

#[cfg(unix)]
fn unix_socket(path: &str) -> Result<Dial, String> {
    if !std::path::Path::new(path).exists() {
        return Err(Language::english().fill(words::NO_SOCKET_AT, &[("path", &path)]));
    }
    Ok(Dial::Unix(path.into()))
}

#[cfg(not(unix))]
fn unix_socket(_: &str) -> Result<Dial, String> {
    Err(Language::english().fill(words::UNIX_SOCKET_ON_WINDOWS, &[("pipe", &crate::endpoint::DEFAULT_HOST)]))
}

#[cfg(windows)]
fn named_pipe(host: &str) -> Result<Dial, String> {
    crate::endpoint::pipe_name(host).map(Dial::NamedPipe).ok_or_else(|| words::HOST_PIPE_NAME.to_string())
}

#[cfg(not(windows))]
fn named_pipe(_: &str) -> Result<Dial, String> {
    Err(Language::english().fill(words::NPIPE_NOT_HERE, &[("os", &std::env::consts::OS)]))
}

/// How long opening a named pipe retries while every instance of it is busy (go-winio,
/// the docker CLI's, waits 2 s by default).
#[cfg(windows)]
const PIPE_BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens the client end of the named pipe `name`. Between the engine accepting one client
/// and offering the next instance of its pipe, opening fails with ERROR_PIPE_BUSY: then it
/// is tried again, for up to [`PIPE_BUSY_WAIT`].
#[cfg(windows)]
async fn open_pipe(name: &str) -> std::io::Result<tokio::net::windows::named_pipe::NamedPipeClient> {
    use tokio::time::{sleep, Duration, Instant};
    /// winerror.h: "All pipe instances are busy."
    const ERROR_PIPE_BUSY: i32 = 231;
    let deadline = Instant::now() + PIPE_BUSY_WAIT;
    loop {
        match tokio::net::windows::named_pipe::ClientOptions::new().open(name) {
            Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY) && Instant::now() < deadline => {
                sleep(Duration::from_millis(20)).await
            }
            opened => return opened,
        }
    }
}

/// What the engine's answers said about it, and the API version requests are pinned to.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Facts {
    /// `None`: not known yet, requests carry no version.
    pub pinned: Option<(usize, usize)>,
    /// The engine's own API version (`Api-Version`).
    pub api: Option<(usize, usize)>,
    /// The engine's version (from `Server`).
    pub engine: Option<String>,
}

/// [`Facts`] shared by a connection and its transport.
#[derive(Debug, Default)]
pub(crate) struct SharedFacts(Mutex<Facts>);

impl SharedFacts {
    pub fn new(facts: Facts) -> Self {
        SharedFacts(Mutex::new(facts))
    }

    pub fn get(&self) -> Facts {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, f: impl FnOnce(&mut Facts)) {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Takes in an answer's headers; the first one that tells the API version pins it.
    fn record(&self, headers: &HeaderMap<HeaderValue>) {
        let api = headers.get("api-version").and_then(|v| v.to_str().ok()).and_then(parse_api);
        let engine = headers.get(hyper::header::SERVER).and_then(|v| v.to_str().ok()).and_then(engine_of_server);
        self.set(|f| {
            if f.api.is_none() {
                f.api = api;
            }
            if f.pinned.is_none() {
                f.pinned = api.map(|a| a.min(MAX_API));
            }
            if f.engine.is_none() {
                f.engine = engine;
            }
        });
    }
}

/// `1.41` → (1, 41)
pub(crate) fn parse_api(v: &str) -> Option<(usize, usize)> {
    let (a, b) = v.trim().split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// `Docker/20.10.24+dfsg1 (linux)` → `20.10.24+dfsg1`
fn engine_of_server(s: &str) -> Option<String> {
    let v = s.strip_prefix("Docker/")?.split_whitespace().next()?;
    (!v.is_empty()).then(|| v.to_string())
}

/// The request path with bollard's `/vX.Y` prefix replaced by `pin`, or dropped.
fn versioned(path_and_query: &str, pin: Option<(usize, usize)>) -> String {
    let rest = path_and_query
        .strip_prefix("/v")
        .and_then(|r| {
            let end = r.find('/')?;
            parse_api(&r[..end]).map(|_| &r[end..])
        })
        .unwrap_or(path_and_query);
    match pin {
        Some((a, b)) => format!("/v{a}.{b}{rest}"),
        None => rest.to_string(),
    }
}

fn io_err(e: std::io::Error) -> bollard::errors::Error {
    bollard::errors::Error::IOError { err: e }
}

/// Sends one request over a fresh stream.
async fn over<S>(stream: S, req: BollardRequest) -> Result<hyper::Response<Incoming>, bollard::errors::Error>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(bollard::errors::Error::from)?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    sender.send_request(req).await.map_err(bollard::errors::Error::from)
}

/// [`Dial`] with the ssh connection a client keeps.
#[derive(Clone)]
enum Route {
    #[cfg(unix)]
    Unix(std::path::PathBuf),
    #[cfg(windows)]
    NamedPipe(String),
    Tcp(String),
    Ssh(Arc<Session>),
}

async fn send(
    route: Route,
    facts: Arc<SharedFacts>,
    req: BollardRequest,
) -> Result<hyper::Response<Incoming>, bollard::errors::Error> {
    let (mut parts, body) = req.into_parts();
    let path = versioned(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"), facts.get().pinned);
    parts.uri = path.parse().map_err(|e| io_err(std::io::Error::other(format!("bad request path {path}: {e}"))))?;
    parts.headers.insert(HOST, HeaderValue::from_static("docker"));
    let req = BollardRequest::from_parts(parts, body);
    let resp = match route {
        #[cfg(unix)]
        Route::Unix(path) => over(tokio::net::UnixStream::connect(&path).await.map_err(io_err)?, req).await?,
        #[cfg(windows)]
        Route::NamedPipe(name) => over(open_pipe(&name).await.map_err(io_err)?, req).await?,
        Route::Tcp(addr) => {
            let s = tokio::net::TcpStream::connect(&addr).await.map_err(io_err)?;
            let _ = s.set_nodelay(true);
            over(s, req).await?
        }
        Route::Ssh(session) => session.send(req).await?,
    };
    facts.record(resp.headers());
    Ok(resp)
}

/// A bollard client whose requests go through [`send`].
pub(crate) fn connect(
    dial: Dial,
    facts: Arc<SharedFacts>,
    timeout_secs: u64,
) -> Result<Docker, bollard::errors::Error> {
    // bollard builds every path with this version; `send` swaps it for the pinned one.
    let v = ClientVersion { major_version: MAX_API.0, minor_version: MAX_API.1 };
    let route = match dial {
        #[cfg(unix)]
        Dial::Unix(path) => Route::Unix(path),
        #[cfg(windows)]
        Dial::NamedPipe(name) => Route::NamedPipe(name),
        Dial::Tcp(addr) => Route::Tcp(addr),
        Dial::Ssh(target) => Route::Ssh(Arc::new(Session::new(target))),
    };
    Docker::connect_with_custom_transport(
        move |req: BollardRequest| {
            Box::pin(send(route.clone(), facts.clone(), req))
                as std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send>>
        },
        Some("http://docker"),
        timeout_secs,
        &v,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(windows))]
    #[test]
    fn a_named_pipe_is_unreachable_off_windows_and_says_what_to_use() {
        let e = dial("npipe:////./pipe/docker_engine", false).unwrap_err();
        let ClusterError::Unreachable { why, .. } = &e else { panic!("{e:?}") };
        assert!(why.contains("Windows named pipe") && why.contains("unix:///var/run/docker.sock"), "{why}");
        let zh = e.text(Language::parse("zh-TW").unwrap());
        let os = std::env::consts::OS;
        assert!(!zh.contains("Windows named pipe") && zh.contains(&format!("在 {os} 上")), "{zh}");
        assert!(zh.contains("unix:///var/run/docker.sock") && zh.contains("tcp://host:port"), "{zh}");
    }

    #[cfg(windows)]
    #[test]
    fn a_unix_socket_is_unreachable_on_windows_and_says_where_docker_desktop_listens() {
        let e = dial("unix:///var/run/docker.sock", false).unwrap_err();
        let zh = e.text(Language::parse("zh-TW").unwrap());
        assert!(!zh.contains("named pipes") && zh.contains(crate::endpoint::DEFAULT_HOST), "{zh}");
    }

    #[cfg(unix)]
    #[test]
    fn each_address_kind_gets_its_route() {
        let missing = dial("unix:///nonexistent/docker.sock", false).unwrap_err();
        assert!(missing.to_string().contains("no socket at /nonexistent/docker.sock"), "{missing}");
        assert!(matches!(dial("unix:///", false), Ok(Some(Dial::Unix(_)))));
        assert!(matches!(dial("tcp://127.0.0.1:2375", false), Ok(Some(Dial::Tcp(a))) if a == "127.0.0.1:2375"));
        assert!(matches!(dial("tcp://127.0.0.1:2376", true), Ok(None)), "TLS goes through bollard");
        assert!(matches!(dial("ssh://ana@h:2222", false), Ok(Some(Dial::Ssh(_)))));
    }

    #[test]
    fn paths_lose_or_swap_their_version() {
        assert_eq!(versioned("/v1.47/services?status=true", None), "/services?status=true");
        assert_eq!(versioned("/v1.47/services?status=true", Some((1, 41))), "/v1.41/services?status=true");
        assert_eq!(versioned("/volumes", Some((1, 44))), "/v1.44/volumes");
        assert_eq!(versioned("/version", None), "/version");
    }

    #[test]
    fn the_first_answer_pins_the_version_and_names_the_engine() {
        let facts = SharedFacts::default();
        let mut h = HeaderMap::new();
        h.insert("api-version", HeaderValue::from_static("1.51"));
        h.insert(hyper::header::SERVER, HeaderValue::from_static("Docker/28.3.0 (linux)"));
        facts.record(&h);
        let f = facts.get();
        assert_eq!((f.api, f.pinned, f.engine.as_deref()), (Some((1, 51)), Some(MAX_API), Some("28.3.0")));
        let mut older = HeaderMap::new();
        older.insert("api-version", HeaderValue::from_static("1.41"));
        facts.record(&older);
        assert_eq!(facts.get().api, Some((1, 51)), "later answers do not change what the first said");
    }
}
