//! The JSON API the lab cards' script reads. Reports are the `lab check --format json`
//! contract with every `fix` null (the served book is the learner edition).
//!
//! - `GET /api/labs`: `[{"id", "title", "chapter", "completed_at", "best_score",
//!   "max_score"}]`, in course order (as `lab list --format json`, plus `max_score`).
//! - `GET /api/labs/<id>/check`: one report (200), or `{"error", "status"}` with 503 when
//!   the engine cannot be read.
//! - `GET /api/labs/<id>/watch`: Server-Sent Events: `report` (the JSON report) on every
//!   change, `lost` (`{"error", "retry_in_ms"}`) while the engine is away. When the engine
//!   follows (nothing named it at start, see [`crate::engine`]) the stream ends after
//!   `lost`, and the page's reconnection chooses the engine again.
//! - `GET /api/words`: `{"LIVE_CHECK_NOW": "Check now", …}`, the cards' script's words
//!   (lab-i18n's `LIVE_` words) in the language of the run.
//!
//! Human text (titles, messages, mismatches, errors) is in the language of the run; keys,
//! ids and statuses never change.
//!
//! A full score is recorded in the learner's progress, as `lab check` does, when the
//! request comes from a page of this server ([`Guard::same_origin`]); at most
//! [`MAX_STREAMS`](crate::guard::MAX_STREAMS) watch streams are open at once (429 beyond).
//!
//! Every answer is JSON written by [`lab_engine::untrusted::json`]: engine text stays exact
//! for the cards' script (which shows it with `textContent` only), and no byte of an
//! answer is a control character.

use crate::guard::{Guard, StreamCap};
use crate::ServeConfig;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use axum::Router;
use lab_engine::Connection;
use lab_grader::{check_lab, CheckOptions, Report, WatchEvent, WatchOptions};
use lab_i18n::words;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::Arc;

type Shared = Arc<ServeConfig>;

/// When the engine follows (see [`crate::engine`]), how soon the page reconnects to a
/// watch that lost its engine, so the engine is chosen again.
const FOLLOW_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// How long `GET /api/labs/<id>/check` may re-read a converging swarm.
const CHECK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(8);

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/labs", get(labs))
        .route("/api/labs/{id}/check", get(check))
        .route("/api/labs/{id}/watch", get(watch))
        .route("/api/words", get(words))
}

async fn words(State(config): State<Shared>) -> Response {
    json_response(StatusCode::OK, &crate::words_json("LIVE_", config.lang))
}

/// A JSON answer, written by the one rule for engine values.
fn json_response(status: StatusCode, value: &Value) -> Response {
    let body = lab_engine::untrusted::json(value, false);
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A report as the API sends it: the JSON contract, `fix` null in every check.
pub fn report_json(report: &Report) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or(Value::Null);
    if let Some(checks) = v.get_mut("checks").and_then(Value::as_array_mut) {
        for c in checks {
            c["fix"] = Value::Null;
        }
    }
    v
}

fn record(config: &ServeConfig, report: &Report) {
    if let Some(path) = &config.progress {
        match lab_grader::progress::record(path, report) {
            Ok((_, Some(w))) => eprintln!("lab serve: warning: {w}"),
            Ok(_) => {}
            Err(e) => eprintln!("lab serve: warning: {e}"),
        }
    }
}

async fn labs(State(config): State<Shared>) -> Response {
    let progress = config.progress.as_deref().map(|p| lab_grader::progress::load(p).0).unwrap_or_default();
    let list: Vec<Value> = config
        .labs
        .iter()
        .map(|s| {
            let done = progress.labs.get(&s.lab.id);
            json!({
                "id": s.lab.id,
                "title": s.lab.title,
                "chapter": s.chapter,
                "completed_at": done.map(|d| d.completed_at.clone()),
                "best_score": done.map(|d| d.best_score),
                "max_score": s.lab.max_score(),
            })
        })
        .collect();
    json_response(StatusCode::OK, &Value::Array(list))
}

fn unknown(id: &str, config: &ServeConfig) -> Response {
    let ids: Vec<&str> = config.labs.iter().map(|l| l.lab.id.as_str()).collect();
    let error = config.lang.fill(words::SERVE_UNKNOWN_LAB, &[("id", &id), ("ids", &ids.join(", "))]);
    json_response(StatusCode::NOT_FOUND, &json!({ "error": error, "status": "unknown_lab" }))
}

async fn check(
    State(config): State<Shared>,
    Extension(guard): Extension<Arc<Guard>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(served) = config.labs.iter().find(|l| l.lab.id == id) else { return unknown(&id, &config) };
    let endpoint = match config.engine.for_request().await {
        Ok(ep) => ep,
        Err(error) => {
            return json_response(StatusCode::SERVICE_UNAVAILABLE, &json!({ "error": error, "status": "bad_input" }))
        }
    };
    let result = async {
        let conn = Connection::open(&endpoint, config.timeout).await?;
        // As `lab check`, but a page waits at most a few seconds: a check still converging
        // then is reported as converging, and the watch stream brings the rest.
        let deadline = std::time::Instant::now() + CHECK_DEADLINE;
        let opts = CheckOptions { deadline: Some(deadline), lang: config.lang, ..Default::default() };
        check_lab(&served.lab, &conn, &opts).await
    }
    .await;
    match result {
        Ok(report) => {
            if guard.same_origin(&headers) {
                record(&config, &report);
            }
            json_response(StatusCode::OK, &report_json(&report))
        }
        Err(e) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "error": e.text(config.lang), "status": lab_grader::grade::GradeStatus::of(&e).as_str() }),
        ),
    }
}

async fn watch(
    State(config): State<Shared>,
    Extension(guard): Extension<Arc<Guard>>,
    Extension(streams): Extension<StreamCap>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(served) = config.labs.iter().find(|l| l.lab.id == id) else { return unknown(&id, &config) };
    // Held by the stream below, so released when the browser goes away.
    let permit = match streams.permit() {
        Ok(p) => p,
        Err(too_many) => return too_many.into_response(),
    };
    let may_record = guard.same_origin(&headers);
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let lab = served.lab.clone();
    let opts = WatchOptions { timeout: config.timeout, lang: config.lang, ..Default::default() };
    let endpoint = match config.engine.for_request().await {
        Ok(ep) => ep,
        Err(error) => {
            let lost = json!({ "error": error, "retry_in_ms": FOLLOW_RETRY.as_millis() as u64 });
            let lost = lab_engine::untrusted::json(&lost, false);
            let once = futures_util::stream::iter([Ok::<_, Infallible>(Event::default().event("lost").data(lost))]);
            return Sse::new(once).into_response();
        }
    };
    // Ends when the browser goes away: the stream below is dropped, and with it `rx`.
    tokio::spawn(async move { lab_grader::watch(&lab, &endpoint, &opts, tx).await });
    // An engine that follows (see `engine`) is chosen again when this one is lost: the
    // stream ends after telling so, and the page's EventSource reconnects in a moment.
    let follows = config.engine.follows();
    let stream = futures_util::stream::unfold(Some((rx, config, permit)), move |state| async move {
        let (mut rx, config, permit) = state?;
        let (event, go_on) = match rx.recv().await? {
            WatchEvent::Report { report, .. } => {
                if may_record {
                    record(&config, &report);
                }
                (Event::default().event("report").data(lab_engine::untrusted::json(&report_json(&report), false)), true)
            }
            WatchEvent::Lost { error, retry_in, .. } => {
                let retry = if follows { FOLLOW_RETRY } else { retry_in };
                let data = json!({ "error": error.text(config.lang), "retry_in_ms": retry.as_millis() as u64 });
                let event = Event::default().event("lost").data(lab_engine::untrusted::json(&data, false));
                (if follows { event.retry(FOLLOW_RETRY) } else { event }, !follows)
            }
        };
        Some((Ok::<_, Infallible>(event), go_on.then_some((rx, config, permit))))
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

#[cfg(test)]
mod tests {
    use lab_i18n::Language;

    /// The words the cards' script asks for by name, and the `LIVE_` words there are: the
    /// same set, so no card shows a word's name and no word is left unused.
    #[test]
    fn the_script_asks_for_exactly_the_live_words() {
        crate::assert_script_asks_for_exactly_its_words(mdbook_lab::card::LIVE_JS, "LIVE_");
    }

    /// Engine text reaches the page only through the cards' script: it must set text, never
    /// markup, so a crafted name stays a name (the HTML/JS sink of `lab_engine::untrusted`).
    #[test]
    fn the_cards_script_sets_text_never_html() {
        let js = mdbook_lab::card::LIVE_JS;
        for markup in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            "setAttribute(\"on",
        ] {
            assert!(!js.contains(markup), "the cards' script uses {markup}");
        }
        assert!(js.contains("textContent"), "it shows text with textContent");
    }

    #[test]
    fn words_are_served_in_the_language_of_the_run() {
        assert_eq!(crate::words_json("LIVE_", Language::english())["LIVE_CHECK_NOW"], "Check now");
        assert_eq!(crate::words_json("LIVE_", Language::parse("zh-TW").unwrap())["LIVE_CHECK_NOW"], "立即檢查");
    }
}
