//! The learner edition of the book, built in-process as `mdbook-lab build` does (no fix
//! commands, no answers, answer chapters dropped), and its files served from memory-safe
//! paths: nothing outside the built site is ever read.

use crate::{ServeConfig, ServeError};
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use lab_i18n::Language;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Builds the learner edition of the book in `book_dir` into `dest`, in `lang`.
pub fn build(book_dir: &Path, dest: &Path, lang: Language) -> Result<(), ServeError> {
    let err = |why: String| ServeError::Book { dir: book_dir.to_path_buf(), why };
    // The edition of `lang`, with the gettext and lab preprocessors in-process (same names
    // as book.toml's command entries, so nothing is spawned).
    let language = (!lang.is_english()).then(|| lang.tag());
    let lab = mdbook_lab::LabPreprocessor::with_solutions(false);
    let mut book = mdbook_lab::i18n::load_edition(book_dir, language, lab)
        .map_err(|e| err(format!("{e:#} (the folder must hold book.toml)")))?;
    book.config.build.build_dir = dest.to_path_buf();
    book.build().map_err(|e| err(format!("{e:#}")))
}

/// The file a request path names inside `site`, or `None` for paths that try to leave it.
/// A folder means its `index.html`.
pub fn resolve(site: &Path, path: &str) -> Option<PathBuf> {
    let mut out = site.to_path_buf();
    for c in Path::new(path.trim_start_matches('/')).components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    Some(out)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves a file of the built book; 404 (the book's own 404 page when it has one) else.
pub async fn serve_file(State(config): State<Arc<ServeConfig>>, uri: Uri) -> Response {
    let path = percent_decode(uri.path());
    let Some(file) = path.as_deref().and_then(|p| resolve(&config.site, p)) else {
        return (StatusCode::BAD_REQUEST, "bad path\n").into_response();
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&file))], bytes).into_response(),
        Err(_) => {
            let page = tokio::fs::read(config.site.join("404.html")).await.unwrap_or_else(|_| b"not found\n".to_vec());
            (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
        }
    }
}

/// `%XX` escapes decoded; `None` when they do not make UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_site() {
        let site = Path::new("/srv/site");
        assert_eq!(resolve(site, "/voting-app.html"), Some(PathBuf::from("/srv/site/voting-app.html")));
        assert_eq!(resolve(site, "/css/../../etc/passwd"), None);
        assert_eq!(percent_decode("/a%2e%2e/b").as_deref(), Some("/a../b"));
        assert_eq!(resolve(site, &percent_decode("/%2e%2e/etc/passwd").unwrap()), None);
        assert_eq!(percent_decode("/%ff"), None);
    }
}
