//! `lab serve`: the learner edition of the book, served on 127.0.0.1 with live lab cards.
//!
//! - [`book`]: building the learner edition in-process (mdbook-lab's preprocessor, no
//!   fixes or answers), in the language of the run, and serving its files.
//! - [`api`]: the JSON API the cards' script reads: `GET /api/labs`, `GET
//!   /api/labs/<id>/check`, `GET /api/labs/<id>/watch` (Server-Sent Events, driven by
//!   `lab_grader::watch`, the same watcher as `lab check --watch`) and `GET /api/words`
//!   (the script's own words, in the language of the run).
//! - [`engine`]: which engine a request reads: the one named when `lab serve` started,
//!   else the one docker's rules find now, or the practice swarm when that is no swarm.
//! - [`class`]: the live class view of `lab grade --live` (its own page, API and event
//!   stream over `lab_grader::grade::live`), behind the same [`guard`].
//! - [`guard`]: what keeps other sites out, reusable by any axum app on the learner's
//!   machine: the Host check (no DNS rebinding), cross-site refusal on the API, the
//!   Content-Security-Policy and other headers of every answer, and the cap on event
//!   streams. The engine's state is the learner's: only pages of this server may read it,
//!   and only they may record progress.
//!
//! Only GET requests reach the engine, as with every `lab` command.

pub mod api;
pub mod book;
pub mod class;
pub mod engine;
pub mod guard;

use axum::Router;
use lab_i18n::Language;
use lab_schema::Lab;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A lab as the server lists it.
#[derive(Debug, Clone)]
pub struct ServedLab {
    pub lab: Lab,
    /// The title of its book chapter.
    pub chapter: String,
}

/// Everything the server needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The built learner edition (see [`book::build`]).
    pub site: PathBuf,
    /// The labs, in course order.
    pub labs: Vec<ServedLab>,
    /// The engine requests read (see [`engine`]).
    pub engine: engine::Engine,
    /// Where progress is kept (`None`: not kept, e.g. no HOME).
    pub progress: Option<PathBuf>,
    /// Bounds connecting to the engine and each read.
    pub timeout: Duration,
    /// The language of the book edition served, the reports and the cards' words (the
    /// labs above are expected in it already).
    pub lang: Language,
}

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot build the book in {}: {why}", dir.display())]
    Book { dir: PathBuf, why: String },
    #[error("cannot listen on {addr}: {source}. Is another `lab serve` running? Try --port with another number")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

/// The whole application: API, book files and the [`guard`] for `addr`.
pub fn app(config: ServeConfig, addr: SocketAddr) -> Router {
    let state = Arc::new(config);
    let guard = Arc::new(guard::Guard::for_addr(addr, "/api/"));
    api::routes()
        .fallback(book::serve_file)
        .with_state(state)
        .layer(axum::Extension(guard.clone()))
        .layer(axum::Extension(guard::StreamCap::default()))
        .layer(axum::middleware::from_fn_with_state(guard, guard::guard))
}

/// Listens on `addr` and serves until the future is dropped. `ready` is called with the
/// bound address (the port may have been 0).
pub async fn serve(config: ServeConfig, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener.local_addr().map_err(ServeError::Serve)?;
    ready(bound);
    axum::serve(listener, app(config, bound)).await.map_err(ServeError::Serve)
}

/// The words a page's script asks for by name, in `lang`: lab-i18n's words whose names
/// start with `prefix` (`LIVE_` for the book's lab cards, `CLASS_` for the live class view).
pub fn words_json(prefix: &str, lang: Language) -> serde_json::Value {
    let named = lab_i18n::words::NAMED.iter().filter(|(name, _)| name.starts_with(prefix));
    serde_json::Value::Object(
        named.map(|(name, en)| (name.to_string(), serde_json::Value::String(lang.tr(en).into_owned()))).collect(),
    )
}

/// Fails unless the quoted `prefix…` word names in `script` are exactly the words
/// [`words_json`] serves for `prefix`: a page never shows a word's name, and no word is
/// left unused.
#[cfg(test)]
fn assert_script_asks_for_exactly_its_words(script: &str, prefix: &str) {
    let mut asked: Vec<&str> = script
        .split(['"', '\''])
        .filter(|s| s.starts_with(prefix) && s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .collect();
    asked.sort();
    asked.dedup();
    let words = words_json(prefix, Language::english());
    let mut served: Vec<&str> = words.as_object().unwrap().keys().map(String::as_str).collect();
    served.sort();
    assert_eq!(asked, served);
}
