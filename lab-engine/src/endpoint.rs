//! Where the engine is: resolved exactly as the `docker` CLI resolves it, so `lab check`
//! grades the same engine that `docker` commands talk to.
//!
//! Order: `--host` (with `--context` it is an error), `--context`, `DOCKER_HOST` (the
//! default context), `DOCKER_CONTEXT`, `currentContext` in `config.json` (under
//! `DOCKER_CONFIG`, else `~/.docker`, `%USERPROFILE%\.docker` on Windows), then the default
//! [`DEFAULT_HOST`]: `unix:///var/run/docker.sock`, or on Windows Docker Desktop's named
//! pipe `npipe:////./pipe/docker_engine`.
//! A named context's endpoint is in `contexts/meta/<sha256(name)>/meta.json` and its TLS
//! files in `contexts/tls/<sha256(name)>/docker/`. The default context takes TLS from
//! `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`.

use lab_i18n::{words, Language};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The engine when nothing names one, as for the docker CLI.
pub const DEFAULT_HOST: &str =
    if cfg!(windows) { "npipe:////./pipe/docker_engine" } else { "unix:///var/run/docker.sock" };

/// TLS client material for a `tcp://` endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A resolved engine endpoint and where it came from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///…`, `npipe:////./pipe/…`, `tcp://host:port` or `ssh://user@host`.
    pub host: String,
    pub tls: Option<TlsFiles>,
    /// The context name when one was used.
    pub context: Option<String>,
    /// Human description of the source: `--host`, `DOCKER_HOST`, `context "x"`.
    pub source: String,
}

/// Why no engine address could be found. Displays in English; [`EndpointError::text`]
/// tells it in another language.
#[derive(Debug, PartialEq, Eq)]
pub enum EndpointError {
    HostAndContext,
    NoSuchContext { name: String, path: String },
    BadContext { name: String, path: String, why: String },
    BadConfig { path: String, why: String },
    BadHost(HostError),
    MissingTls { host: String, missing: String },
}

impl EndpointError {
    /// The error in `lang`; names, paths and a parser's own words stay as they are.
    pub fn text(&self, lang: Language) -> String {
        match self {
            EndpointError::HostAndContext => lang.tr(words::ENDPOINT_HOST_AND_CONTEXT).into_owned(),
            EndpointError::NoSuchContext { name, path } => {
                lang.fill(words::ENDPOINT_NO_SUCH_CONTEXT, &[("name", name), ("path", path)])
            }
            EndpointError::BadContext { name, path, why } => {
                lang.fill(words::ENDPOINT_BAD_CONTEXT, &[("name", name), ("path", path), ("why", &lang.tr(why))])
            }
            EndpointError::BadConfig { path, why } => {
                lang.fill(words::ENDPOINT_BAD_CONFIG, &[("path", path), ("why", why)])
            }
            EndpointError::BadHost(e) => e.text(lang),
            EndpointError::MissingTls { host, missing } => {
                lang.fill(words::ENDPOINT_MISSING_TLS, &[("host", host), ("missing", missing)])
            }
        }
    }
}

impl std::fmt::Display for EndpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Language::english()))
    }
}

impl std::error::Error for EndpointError {}

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct EndpointRequest {
    pub host: Option<String>,
    pub context: Option<String>,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(rename = "currentContext", default)]
    current_context: Option<String>,
}

#[derive(Deserialize)]
struct ContextMeta {
    #[serde(rename = "Endpoints", default)]
    endpoints: std::collections::HashMap<String, ContextEndpoint>,
}

#[derive(Deserialize)]
struct ContextEndpoint {
    #[serde(rename = "Host", default)]
    host: Option<String>,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

fn context_dir_name(name: &str) -> String {
    let d = Sha256::digest(name.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The docker config folder: `DOCKER_CONFIG`, else `.docker` in the home folder
/// ([`crate::dirs::home`]).
pub fn config_dir(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(d) = env("DOCKER_CONFIG").filter(|s| !s.is_empty()) {
        return PathBuf::from(d);
    }
    crate::dirs::home(env).unwrap_or_else(|| PathBuf::from("/root")).join(".docker")
}

/// Why a text is not an engine address, for [`parse_host`]. `why` is one of [`words`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    pub host: String,
    pub why: &'static str,
}

impl HostError {
    /// The error in `lang`.
    pub fn text(&self, lang: Language) -> String {
        lang.fill(words::HOST_ERROR, &[("host", &self.host), ("why", &lang.tr(self.why))])
    }
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Language::english()))
    }
}

impl std::error::Error for HostError {}

/// The one parser of engine addresses (`--host`, `DOCKER_HOST`, contexts, roster cells),
/// accepting what `docker -H` accepts: `unix:///absolute/path`, `npipe:////./pipe/NAME`
/// (a Windows named pipe, Docker Desktop's; accepted everywhere, usable on Windows only),
/// `tcp://host:port` and `ssh://[user@]host[:port]`. Like docker it refuses `http://` and
/// `https://` (docker says "invalid bind address format"). Unlike docker it wants the tcp
/// port written out, since 2375 and 2376 (TLS) are both usual. Returns the address as
/// given, trimmed.
pub fn parse_host(text: &str) -> Result<String, HostError> {
    let host = text.trim();
    let bad = |why| Err(HostError { host: host.to_string(), why });
    if let Some(path) = host.strip_prefix("unix://") {
        if !path.starts_with('/') || path.len() < 2 {
            return bad(words::HOST_NOT_ABSOLUTE);
        }
    } else if host.starts_with("npipe://") {
        if pipe_name(host).is_none() {
            return bad(words::HOST_PIPE_NAME);
        }
    } else if let Some(rest) = host.strip_prefix("tcp://") {
        let rest = rest.trim_end_matches('/');
        match rest.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0) => {}
            _ => return bad(words::HOST_NEEDS_PORT),
        }
    } else if let Some(rest) = host.strip_prefix("ssh://") {
        if rest.is_empty() || rest.starts_with('@') || rest.starts_with(':') || rest.starts_with('/') {
            return bad(words::HOST_NEEDS_HOST);
        }
    } else if host.starts_with("http://") || host.starts_with("https://") {
        return bad(words::HOST_HTTP);
    } else if host.contains("://") {
        return bad(words::HOST_BAD_SCHEME);
    } else {
        return bad(words::HOST_NO_SCHEME);
    }
    Ok(host.to_string())
}

/// The Windows name of an `npipe://` address's pipe, as docker reads it (slashes become
/// backslashes): `npipe:////./pipe/docker_engine` is `\\.\pipe\docker_engine`. `None`
/// unless it is `\\SERVER\pipe\NAME` (`.` is this machine).
pub fn pipe_name(host: &str) -> Option<String> {
    let name = host.strip_prefix("npipe://")?.replace('/', "\\");
    let rest = name.strip_prefix("\\\\")?;
    let (server, rest) = rest.split_once('\\')?;
    let pipe = rest.strip_prefix("pipe\\")?;
    (!server.is_empty() && !pipe.is_empty() && !pipe.contains('\\')).then_some(name)
}

fn check_host(host: &str) -> Result<(), EndpointError> {
    parse_host(host).map(drop).map_err(EndpointError::BadHost)
}

fn tls_from_dir(host: &str, dir: &Path) -> Result<TlsFiles, EndpointError> {
    let files = TlsFiles { ca: dir.join("ca.pem"), cert: dir.join("cert.pem"), key: dir.join("key.pem") };
    for p in [&files.ca, &files.cert, &files.key] {
        if !p.exists() {
            return Err(EndpointError::MissingTls { host: host.into(), missing: p.display().to_string() });
        }
    }
    Ok(files)
}

/// The context the flags or the environment name, past `--host`: `--context`, the default
/// one for `DOCKER_HOST`, `DOCKER_CONTEXT`; `None` leaves it to `config.json`.
fn named_context(req: &EndpointRequest, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    if let Some(c) = &req.context {
        Some(c.clone())
    } else if nonempty("DOCKER_HOST").is_some() {
        Some("default".into())
    } else {
        nonempty("DOCKER_CONTEXT")
    }
}

/// Whether the flags or the environment name the engine (`--host`, `--context`,
/// `DOCKER_HOST`, `DOCKER_CONTEXT`), so that [`resolve`] finds the same one for as long as
/// they stay; otherwise it is docker's configuration's (`currentContext`, else
/// [`DEFAULT_HOST`]), which `docker context use` may change at any time.
pub fn is_named(req: &EndpointRequest, env: &dyn Fn(&str) -> Option<String>) -> bool {
    req.host.is_some() || named_context(req, env).is_some()
}

/// Resolves the endpoint from flags and an environment (pass `|k| std::env::var(k).ok()`).
pub fn resolve(req: &EndpointRequest, env: &dyn Fn(&str) -> Option<String>) -> Result<Endpoint, EndpointError> {
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    if req.host.is_some() && req.context.is_some() {
        return Err(EndpointError::HostAndContext);
    }
    let default_tls = |host: &str| -> Result<Option<TlsFiles>, EndpointError> {
        if nonempty("DOCKER_TLS_VERIFY").is_some() && host.starts_with("tcp://") {
            let dir = nonempty("DOCKER_CERT_PATH").map(PathBuf::from).unwrap_or_else(|| config_dir(env));
            tls_from_dir(host, &dir).map(Some)
        } else {
            Ok(None)
        }
    };
    if let Some(h) = &req.host {
        check_host(h)?;
        return Ok(Endpoint { host: h.clone(), tls: default_tls(h)?, context: None, source: "--host".into() });
    }
    let cfg_dir = config_dir(env);
    let name = if let Some(c) = named_context(req, env) {
        c
    } else {
        let path = cfg_dir.join("config.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str::<ConfigFile>(&text)
                .map_err(|e| EndpointError::BadConfig { path: path.display().to_string(), why: e.to_string() })?
                .current_context
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| "default".into()),
            Err(_) => "default".into(),
        }
    };
    if name == "default" {
        let (host, source) = match nonempty("DOCKER_HOST") {
            Some(h) => (h, "DOCKER_HOST".to_string()),
            None => (DEFAULT_HOST.to_string(), words::DEFAULT_SOCKET.to_string()),
        };
        check_host(&host)?;
        let tls = default_tls(&host)?;
        return Ok(Endpoint { host, tls, context: None, source });
    }
    let hash = context_dir_name(&name);
    let meta_path = cfg_dir.join("contexts/meta").join(&hash).join("meta.json");
    let text = std::fs::read_to_string(&meta_path)
        .map_err(|_| EndpointError::NoSuchContext { name: name.clone(), path: meta_path.display().to_string() })?;
    let meta: ContextMeta = serde_json::from_str(&text).map_err(|e| EndpointError::BadContext {
        name: name.clone(),
        path: meta_path.display().to_string(),
        why: e.to_string(),
    })?;
    let ep = meta.endpoints.get("docker").ok_or_else(|| EndpointError::BadContext {
        name: name.clone(),
        path: meta_path.display().to_string(),
        why: words::CONTEXT_NO_DOCKER_ENDPOINT.into(),
    })?;
    let host = ep.host.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| DEFAULT_HOST.to_string());
    check_host(&host)?;
    let tls_dir = cfg_dir.join("contexts/tls").join(&hash).join("docker");
    let tls = if tls_dir.join("ca.pem").exists() || tls_dir.join("cert.pem").exists() {
        Some(tls_from_dir(&host, &tls_dir)?)
    } else {
        None
    };
    if ep.skip_tls_verify && host.starts_with("tcp://") {
        return Err(EndpointError::BadContext {
            name,
            path: meta_path.display().to_string(),
            why: words::CONTEXT_SKIPS_TLS_VERIFY.into(),
        });
    }
    Ok(Endpoint { host, tls, context: Some(name.clone()), source: format!("context \"{name}\"") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    fn write_context(cfg: &Path, name: &str, host: &str, tls: bool) {
        let h = context_dir_name(name);
        let meta = cfg.join("contexts/meta").join(&h);
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            format!(r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#),
        )
        .unwrap();
        if tls {
            let t = cfg.join("contexts/tls").join(&h).join("docker");
            std::fs::create_dir_all(&t).unwrap();
            for f in ["ca.pem", "cert.pem", "key.pem"] {
                std::fs::write(t.join(f), "x").unwrap();
            }
        }
    }

    #[test]
    fn context_dirs_are_sha256_of_the_name() {
        // The value docker itself uses for a context named "default"-like names.
        assert_eq!(context_dir_name("my-context").len(), 64);
        assert_eq!(context_dir_name("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn docker_host_beats_the_current_context() {
        let d = tempfile::tempdir().unwrap();
        write_context(d.path(), "remote", "tcp://10.9.9.9:2376", false);
        std::fs::write(d.path().join("config.json"), r#"{"currentContext":"remote"}"#).unwrap();
        let cfg = d.path().to_str().unwrap();
        let env =
            env_of(&[("DOCKER_CONFIG", cfg), ("DOCKER_HOST", "unix:///tmp/x.sock"), ("DOCKER_CONTEXT", "remote")]);
        let ep = resolve(&EndpointRequest::default(), &env).unwrap();
        assert_eq!(ep.host, "unix:///tmp/x.sock");
        assert_eq!(ep.source, "DOCKER_HOST");
    }

    #[test]
    fn docker_context_and_config_pick_the_context_endpoint() {
        let d = tempfile::tempdir().unwrap();
        write_context(d.path(), "a", "unix:///tmp/a.sock", false);
        write_context(d.path(), "b", "unix:///tmp/b.sock", false);
        std::fs::write(d.path().join("config.json"), r#"{"auths":{},"currentContext":"b"}"#).unwrap();
        let cfg = d.path().to_str().unwrap();
        let from_config = resolve(&EndpointRequest::default(), &env_of(&[("DOCKER_CONFIG", cfg)])).unwrap();
        assert_eq!(from_config.host, "unix:///tmp/b.sock");
        let from_env =
            resolve(&EndpointRequest::default(), &env_of(&[("DOCKER_CONFIG", cfg), ("DOCKER_CONTEXT", "a")])).unwrap();
        assert_eq!(from_env.host, "unix:///tmp/a.sock");
        let from_flag = resolve(
            &EndpointRequest { context: Some("b".into()), host: None },
            &env_of(&[("DOCKER_CONFIG", cfg), ("DOCKER_HOST", "unix:///tmp/h.sock")]),
        )
        .unwrap();
        assert_eq!(from_flag.host, "unix:///tmp/b.sock", "--context beats DOCKER_HOST");
    }

    #[test]
    fn tls_material_comes_from_the_context() {
        let d = tempfile::tempdir().unwrap();
        write_context(d.path(), "secure", "tcp://127.0.0.1:2376", true);
        let cfg = d.path().to_str().unwrap();
        let ep = resolve(
            &EndpointRequest { context: Some("secure".into()), host: None },
            &env_of(&[("DOCKER_CONFIG", cfg)]),
        )
        .unwrap();
        let tls = ep.tls.expect("tls files");
        assert!(tls.ca.ends_with("docker/ca.pem"));
        assert!(tls.key.starts_with(d.path().join("contexts/tls")));
    }

    #[test]
    fn tls_verify_env_needs_all_three_files() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("ca.pem"), "x").unwrap();
        let env = env_of(&[
            ("DOCKER_HOST", "tcp://127.0.0.1:2376"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", d.path().to_str().unwrap()),
        ]);
        let err = resolve(&EndpointRequest::default(), &env).unwrap_err();
        assert!(matches!(err, EndpointError::MissingTls { .. }), "{err}");
    }

    #[test]
    fn host_and_context_together_is_a_usage_error() {
        let req = EndpointRequest { host: Some("unix:///x".into()), context: Some("y".into()) };
        assert_eq!(resolve(&req, &env_of(&[])).unwrap_err(), EndpointError::HostAndContext);
    }

    #[test]
    fn unknown_context_names_the_file_looked_for() {
        let d = tempfile::tempdir().unwrap();
        let env = env_of(&[("DOCKER_CONFIG", d.path().to_str().unwrap()), ("DOCKER_CONTEXT", "nope")]);
        let err = resolve(&EndpointRequest::default(), &env).unwrap_err().to_string();
        assert!(err.contains("\"nope\" not found") && err.contains("meta.json"), "{err}");
    }

    #[test]
    fn one_host_parser_takes_what_docker_takes() {
        for ok in [
            "unix:///var/run/docker.sock",
            "npipe:////./pipe/docker_engine",
            "npipe:////./pipe/dockerDesktopLinuxEngine",
            "tcp://10.0.0.1:2376",
            "tcp://[::1]:2375",
            "ssh://ana@host",
            "ssh://h:22",
        ] {
            assert_eq!(parse_host(ok).as_deref(), Ok(ok));
        }
        for (bad, why) in [
            ("http://127.0.0.1:2375", "http://"),
            ("https://h:2376", "http://"),
            ("tcp://h", "a port"),
            ("tcp://h:0", "a port"),
            ("tcp://:2375", "a host"),
            ("unix://relative.sock", "absolute"),
            ("ssh://", "a host"),
            ("ssh://@h", "a host"),
            ("localhost:2375", "no scheme"),
            ("npipe://", "npipe:////./pipe/NAME"),
            ("npipe:///./pipe/docker_engine", "npipe:////./pipe/NAME"),
            ("npipe:////./docker_engine", "npipe:////./pipe/NAME"),
            ("npipe:////./pipe/", "npipe:////./pipe/NAME"),
            ("ftp://h", "unix, npipe, tcp or ssh"),
            ("", "no scheme"),
        ] {
            let e = parse_host(bad).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains("tcp://host:port"), "{bad}: {e}");
        }
    }

    #[test]
    fn npipe_addresses_name_the_windows_pipe_on_every_platform() {
        assert_eq!(pipe_name("npipe:////./pipe/docker_engine").as_deref(), Some(r"\\.\pipe\docker_engine"));
        assert_eq!(pipe_name(r"npipe://\\.\pipe\docker_engine").as_deref(), Some(r"\\.\pipe\docker_engine"));
        assert_eq!(pipe_name("npipe:////build-host/pipe/engine").as_deref(), Some(r"\\build-host\pipe\engine"));
        for bad in ["npipe:////./pipe/a/b", "npipe:////./pipes/x", "npipe:////pipe/x", "unix:///x"] {
            assert_eq!(pipe_name(bad), None, "{bad}");
        }
        let env = env_of(&[("DOCKER_HOST", "npipe:////./pipe/dockerDesktopLinuxEngine")]);
        let ep = resolve(&EndpointRequest::default(), &env).unwrap();
        assert_eq!(
            (ep.host.as_str(), ep.source.as_str()),
            ("npipe:////./pipe/dockerDesktopLinuxEngine", "DOCKER_HOST")
        );
    }

    #[test]
    fn docker_host_with_http_is_refused_as_docker_refuses_it() {
        let err = resolve(&EndpointRequest::default(), &env_of(&[("DOCKER_HOST", "http://127.0.0.1:2375")]));
        assert!(matches!(err, Err(EndpointError::BadHost(_))), "{err:?}");
    }

    #[test]
    fn the_engine_is_named_exactly_when_config_json_is_not_read() {
        let d = tempfile::tempdir().unwrap();
        let cfg = d.path().to_str().unwrap();
        write_context(d.path(), "current", "unix:///tmp/current.sock", false);
        std::fs::write(d.path().join("config.json"), r#"{"currentContext": "current"}"#).unwrap();
        write_context(d.path(), "other", "unix:///tmp/other.sock", false);
        let flag = EndpointRequest { context: Some("other".into()), ..Default::default() };
        let host = EndpointRequest { host: Some("unix:///tmp/flag.sock".into()), ..Default::default() };
        let none = EndpointRequest::default();
        for (req, vars, named) in [
            (&none, &[][..], false),
            (&none, &[("DOCKER_HOST", ""), ("DOCKER_CONTEXT", "")], false),
            (&none, &[("DOCKER_HOST", "unix:///tmp/h.sock")], true),
            (&none, &[("DOCKER_CONTEXT", "other")], true),
            (&none, &[("DOCKER_CONTEXT", "default")], true),
            (&flag, &[], true),
            (&host, &[], true),
        ] {
            let mut pairs = vec![("DOCKER_CONFIG", cfg)];
            pairs.extend_from_slice(vars);
            let env = env_of(&pairs);
            assert_eq!(is_named(req, &env), named, "{req:?} {vars:?}");
            // Only an engine that is not named comes from config.json's current context.
            let ep = resolve(req, &env).unwrap();
            assert_eq!(ep.context.as_deref() == Some("current"), !named, "{req:?} {vars:?}: {ep:?}");
        }
    }

    #[test]
    fn nothing_set_means_the_default_socket() {
        let d = tempfile::tempdir().unwrap();
        let ep =
            resolve(&EndpointRequest::default(), &env_of(&[("DOCKER_CONFIG", d.path().to_str().unwrap())])).unwrap();
        assert_eq!(ep.host, DEFAULT_HOST);
    }

    #[test]
    fn address_errors_speak_the_language_they_are_asked_in() {
        let e = EndpointError::BadHost(parse_host("http://h:2375").unwrap_err());
        assert!(e.to_string().starts_with("`http://h:2375` is not an engine address: docker does not take"), "{e}");
        let zh = e.text(Language::parse("zh-TW").unwrap());
        assert!(zh.starts_with("`http://h:2375` 不是 engine 位址：docker 不接受"), "{zh}");
        let e = EndpointError::NoSuchContext { name: "x".into(), path: "/p".into() };
        assert!(e.text(Language::parse("zh-TW").unwrap()).contains("找不到 docker context \"x\""));
    }
}
