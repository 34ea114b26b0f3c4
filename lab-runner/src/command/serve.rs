//! `lab serve`: builds the learner edition of the book and serves it on 127.0.0.1 with
//! live lab cards (the server itself is the `lab-serve` crate). Unless the engine was named
//! when it started, each request finds it again, or reads the practice swarm (so starting
//! `lab serve` before `eval "$(lab cluster env)"` is fine).

use super::{load_catalog, resolve_endpoint};
use crate::args::EngineArgs;
use crate::args::ServeArgs;
use crate::catalog::Catalog;
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_engine::Endpoint;
use lab_i18n::words;
use lab_serve::engine::Engine;
use lab_serve::ServedLab;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// `--book`, else `./book`, else the book next to the sources `lab` was built from.
fn book_dir(given: Option<&Path>) -> Option<PathBuf> {
    let has_book = |d: &Path| d.join("book.toml").is_file();
    match given {
        Some(d) => Some(d.to_path_buf()),
        None => [PathBuf::from("book"), Path::new(env!("CARGO_MANIFEST_DIR")).join("../book")]
            .into_iter()
            .find(|d| has_book(d)),
    }
}

/// The engine rule of `lab serve`: pinned to `found` when the engine was named (`--host`,
/// `--context`, `DOCKER_HOST`, `DOCKER_CONTEXT`), else found again for each request, or
/// the practice swarm (see lab-serve's `engine` module).
fn engine_rule(
    lang: lab_i18n::Language,
    args: &EngineArgs,
    found: Endpoint,
    env: &dyn Fn(&str) -> Option<String>,
) -> Engine {
    // The one rule of lab-engine: named means that resolving again finds the same engine.
    let req = args.request();
    if lab_engine::endpoint::is_named(&req, env) {
        return Engine::Pinned(found);
    }
    let for_practice = args.clone();
    Engine::Follow {
        resolve: Arc::new(move || {
            lab_engine::endpoint::resolve(&req, &|k| std::env::var(k).ok()).map_err(|e| e.text(lang))
        }),
        practice: Arc::new(move || {
            let args = for_practice.clone();
            Box::pin(async move { crate::practice_engine::node1(&args).await })
        }),
    }
}

/// `lab serve` as asked, resolved before anything is built: the labs, the book folder, and
/// the engine rule with the engine found at start.
pub(crate) struct ServeConfig {
    pub catalog: Catalog,
    pub book: PathBuf,
    pub engine: Engine,
    pub addr: SocketAddr,
    pub open: bool,
    pub timeout: Duration,
}

impl ServeConfig {
    /// `lab serve`'s flags, in this order: the labs, the engine, the book. Errors are reported.
    pub fn new(a: &ServeArgs, ui: &Ui) -> Result<ServeConfig, Exit> {
        let catalog = load_catalog(ui, &a.labs)?;
        let endpoint = resolve_endpoint(ui, &a.engine)?;
        let Some(book) = book_dir(a.book.as_deref()) else {
            ui.error(ui.lang.tr(words::SERVE_NO_BOOK));
            return Err(Exit::BadInput);
        };
        let engine = engine_rule(ui.lang, &a.engine, endpoint, &|k| std::env::var(k).ok());
        let addr = SocketAddr::new(a.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)), a.port);
        Ok(ServeConfig { catalog, book, engine, addr, open: a.open, timeout: a.timeout })
    }
}

pub fn run(c: &ServeConfig, ui: &Ui) -> Exit {
    let (cat, book, timeout) = (&c.catalog, &c.book, c.timeout);
    let ip = c.addr.ip();
    if !ip.is_loopback() {
        ui.warn(ui.lang.fill(words::SERVE_PUBLIC, &[("ip", &ip)]));
    }
    let site = match tempfile::Builder::new().prefix("lab-serve-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            let why = ui.lang.fill(words::SERVE_NO_TEMP, &[("error", &e)]);
            return ui.fail(Kind::BadInput, why);
        }
    };
    eprintln!("{}", ui.lang.fill(words::SERVE_BUILDING, &[("dir", &book.display())]));
    let lang = ui.lang;
    if let Err(e) = lab_serve::book::build(book, site.path(), lang) {
        return ui.fail(Kind::BadInput, e);
    }
    let chapters = crate::course::book();
    let mut labs: Vec<&lab_schema::Lab> = cat.labs.iter().collect();
    crate::course::sort_by_lesson(&mut labs, &chapters, |l| &l.lesson);
    let labs = labs
        .into_iter()
        .map(|l| ServedLab {
            lab: lang.lab(l),
            chapter: crate::course::chapter_of(&chapters, &l.lesson).map_or(l.lesson.clone(), |c| lang.book(&c.title)),
        })
        .collect();
    let progress = lab_grader::progress::default_path(&|k| std::env::var(k).ok()).ok();
    let engine = c.engine.clone();
    let config = lab_serve::ServeConfig { site: site.path().to_path_buf(), labs, engine, progress, timeout, lang };
    let (open, addr) = (c.open, c.addr);
    let result = crate::runtime().block_on(async move {
        let serving = lab_serve::serve(config, addr, |bound| {
            let shown =
                if bound.ip().is_loopback() { format!("127.0.0.1:{}", bound.port()) } else { bound.to_string() };
            // stdout: the address is this command's data (scripts and tests read it).
            // In English in every language: scripts read it.
            println!("serving the book at http://{shown}/ (Ctrl-C to stop)");
            if open {
                let _ = std::process::Command::new("xdg-open")
                    .arg(format!("http://{shown}/"))
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn();
            }
        });
        tokio::select! {
            r = serving => r,
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    });
    match result {
        Ok(()) => Exit::Ok,
        Err(e) => ui.fail(Kind::BadInput, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found() -> Endpoint {
        Endpoint { host: "unix:///var/run/docker.sock".into(), tls: None, context: None, source: "x".into() }
    }

    #[test]
    fn an_engine_named_at_start_is_pinned_and_none_named_follows() {
        let none = |_: &str| None;
        assert!(engine_rule(lab_i18n::Language::english(), &EngineArgs::default(), found(), &none).follows());
        let host = EngineArgs { host: Some("tcp://127.0.0.1:2375".into()), ..Default::default() };
        assert!(!engine_rule(lab_i18n::Language::english(), &host, found(), &none).follows());
        let context = EngineArgs { context: Some("desktop".into()), ..Default::default() };
        assert!(!engine_rule(lab_i18n::Language::english(), &context, found(), &none).follows());
        for var in ["DOCKER_HOST", "DOCKER_CONTEXT"] {
            let env = move |k: &str| (k == var).then(|| "set".to_string());
            assert!(
                !engine_rule(lab_i18n::Language::english(), &EngineArgs::default(), found(), &env).follows(),
                "{var}"
            );
        }
        for var in ["DOCKER_HOST", "DOCKER_CONTEXT"] {
            let empty = move |k: &str| (k == var).then(String::new);
            assert!(
                engine_rule(lab_i18n::Language::english(), &EngineArgs::default(), found(), &empty).follows(),
                "an empty {var} names nothing"
            );
        }
    }
}
