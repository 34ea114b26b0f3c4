//! The live class view of `lab grade --live`: one page for the instructor with a row per
//! learner, fed by a [`LiveClass`] that follows every learner's engine.
//!
//! - `GET /`, `/class.js`, `/class.css`: the page, embedded in the binary. Its script
//!   builds the table with `textContent` only: nothing a learner's engine sends (names,
//!   images, messages) ever becomes markup, script or a link.
//! - `GET /api/class`: the class as it stands (see [`LiveClass::class_json`]), plus
//!   `"export": true` when there is an `--out` folder.
//! - `GET /api/class/events`: Server-Sent Events: `class` (the whole class) once, then
//!   `rows` (`{"learners": [row…]}`, only the rows that moved) on every change.
//! - `POST /api/class/export`: writes gradebook.csv, grades.json, junit.xml and the
//!   feedback pages into `--out` as `lab grade` does, each file atomically.
//! - `GET /api/words`: the page's words (lab-i18n's `CLASS_` words) in the language of the run.
//!
//! Every route sits behind [`crate::guard`], as `lab serve`'s: a foreign Host gets 403,
//! and so does a request to the API a browser marks as coming from another site
//! (`Sec-Fetch-Site`, or an `Origin` that is not this server), so no other page can export
//! or read; every answer carries its CSP, nosniff and no-referrer headers; no CORS header
//! is sent. Event streams are capped ([`MAX_STREAMS`]; 429 beyond).

use crate::guard::{Guard, StreamCap};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lab_grader::grade::live::LiveClass;
use lab_grader::grade::ClassGrades;
use lab_i18n::{words, Language};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// The page and its assets, embedded.
pub const PAGE_HTML: &str = include_str!("class/page.html");
pub const CLASS_JS: &str = include_str!("class/class.js");
pub const CLASS_CSS: &str = include_str!("class/class.css");

/// Open event streams allowed at once (a class view per instructor's tab is a handful).
pub const MAX_STREAMS: usize = 32;

/// What the class server needs.
#[derive(Debug, Clone)]
pub struct ClassConfig {
    pub class: Arc<LiveClass>,
    /// Where the export button (and Ctrl-C) writes the gradebook; `None`: no export.
    pub out: Option<PathBuf>,
    /// The language of the page's words and of the feedback pages.
    pub lang: Language,
}

struct Shared {
    config: ClassConfig,
    streams: StreamCap,
}

/// The class view's application for a server bound at `addr`.
pub fn app(config: ClassConfig, addr: SocketAddr) -> Router {
    let guard = Arc::new(Guard::for_addr(addr, "/api/"));
    let shared = Arc::new(Shared { config, streams: StreamCap::new(MAX_STREAMS) });
    Router::new()
        .route("/", get(page))
        .route("/class.js", get(|| async { asset("text/javascript; charset=utf-8", CLASS_JS) }))
        .route("/class.css", get(|| async { asset("text/css; charset=utf-8", CLASS_CSS) }))
        .route("/api/class", get(class))
        .route("/api/class/events", get(events))
        .route("/api/class/export", post(export))
        .route("/api/words", get(words))
        .layer(axum::middleware::from_fn_with_state(guard, crate::guard::guard))
        .with_state(shared)
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: ClassConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    axum::serve(listener, app(config, addr)).with_graceful_shutdown(shutdown).await
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

async fn page(State(shared): State<Arc<Shared>>) -> Response {
    let html = PAGE_HTML.replace("{lang}", shared.config.lang.tag());
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], html).into_response()
}

async fn words(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(crate::words_json("CLASS_", shared.config.lang))
}

fn class_json(config: &ClassConfig) -> Value {
    let mut v = config.class.class_json();
    v["export"] = Value::Bool(config.out.is_some());
    v
}

async fn class(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(class_json(&shared.config))
}

async fn events(State(shared): State<Arc<Shared>>) -> Response {
    let permit = match shared.streams.permit() {
        Ok(p) => p,
        Err(too_many) => return too_many.into_response(),
    };
    let class = shared.config.class.clone();
    let changed = class.changed();
    // Revisions first: a row that moves in between is sent twice, never missed.
    let (_, seen) = class.rows_since(&[]);
    let first = Event::default().event("class").data(class_json(&shared.config).to_string());
    let rest =
        futures_util::stream::unfold((changed, seen, class, permit), |(mut changed, seen, class, permit)| async move {
            loop {
                changed.changed().await.ok()?;
                let (rows, now) = class.rows_since(&seen);
                if !rows.is_empty() {
                    let event = Event::default().event("rows").data(json!({ "learners": rows }).to_string());
                    return Some((event, (changed, now, class, permit)));
                }
            }
        });
    let stream = futures_util::StreamExt::map(
        futures_util::StreamExt::chain(futures_util::stream::once(async { first }), rest),
        Ok::<_, Infallible>,
    );
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

/// Writes `grades` (the class as it stands: [`LiveClass::grades`]) into `out`, each file
/// atomically; the files written.
pub fn write_gradebook(grades: &ClassGrades, out: &std::path::Path, lang: Language) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out.join("feedback")).map_err(|e| format!("{}: {e}", out.display()))?;
    lab_grader::grade::atomic::remove_leftovers(out).map_err(|e| format!("{}: {e}", out.display()))?;
    grades.write_to_in(out, lang).map_err(|e| e.to_string())
}

async fn export(State(shared): State<Arc<Shared>>) -> Response {
    let lang = shared.config.lang;
    let Some(out) = shared.config.out.clone() else {
        return (StatusCode::CONFLICT, Json(json!({ "error": lang.tr(words::GRADE_LIVE_NO_OUT) }))).into_response();
    };
    let class = shared.config.class.clone();
    let dir = out.clone();
    match tokio::task::spawn_blocking(move || write_gradebook(&class.grades(), &out, lang)).await {
        Ok(Ok(files)) => Json(json!({ "dir": dir.display().to_string(), "files": files.len() })).into_response(),
        Ok(Err(error)) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": error }))).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": e.to_string() }))).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words the page's script asks for by name, and the `CLASS_` words there are: the
    /// same set, so the page never shows a word's name and no word is left unused.
    #[test]
    fn the_script_asks_for_exactly_the_class_words() {
        crate::assert_script_asks_for_exactly_its_words(CLASS_JS, "CLASS_");
    }

    /// Engine values reach the page as text only: the script never parses markup.
    #[test]
    fn the_script_never_turns_text_into_markup() {
        for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", ".href"]
        {
            assert!(!CLASS_JS.contains(sink), "class.js uses {sink}");
        }
        assert!(!PAGE_HTML.contains("<script>"), "no inline script (the CSP forbids it)");
    }
}
