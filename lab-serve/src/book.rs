//! The learner edition of the book, built in-process as `mdbook-lab build` does (no fix
//! commands, no answers, answer chapters dropped), and its files served from memory-safe
//! paths: nothing outside the built site is ever read. The book is built with the
//! preprocessors `lab` runs in-process (gettext, lab) and mdBook's HTML renderer only: a
//! `book.toml` that names any other preprocessor or renderer (a command mdBook would
//! spawn) is refused before anything is built, as `lab serve` may be run in any folder.

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
    let preprocessors = book.config.preprocessors().map_err(|e| err(format!("{e:#}")))?;
    let outputs = book.config.outputs().map_err(|e| err(format!("{e:#}")))?;
    only_known_steps(&preprocessors, &outputs, lang).map_err(err)?;
    book.config.build.build_dir = dest.to_path_buf();
    book.build().map_err(|e| err(format!("{e:#}")))
}

/// The `[preprocessor.*]` or `[output.*]` tables of a configuration, by name.
pub type Tables = std::collections::BTreeMap<String, serde_json::Value>;

/// The preprocessors `lab serve` runs itself (replacing the commands of those names).
const OWN_PREPROCESSORS: [&str; 2] = [mdbook_lab::i18n::GETTEXT_NAME, "lab"];
/// mdBook's built-in preprocessors, run in-process unless a table gives them a command.
const BUILTIN_PREPROCESSORS: [&str; 2] = ["links", "index"];

/// Refuses a configuration (book.toml and `MDBOOK_*` variables) that names a preprocessor
/// or renderer `lab serve` does not run in-process: mdBook would spawn its command.
pub fn only_known_steps(preprocessors: &Tables, outputs: &Tables, lang: Language) -> Result<(), String> {
    let file = "book.toml";
    for (name, table) in preprocessors {
        let own = OWN_PREPROCESSORS.contains(&name.as_str());
        let builtin = BUILTIN_PREPROCESSORS.contains(&name.as_str()) && table.get("command").is_none();
        if !own && !builtin {
            let known = OWN_PREPROCESSORS.join(", ");
            return Err(lang.fill(
                lab_i18n::words::SERVE_UNKNOWN_PREPROCESSOR,
                &[("file", &file), ("name", name), ("known", &known)],
            ));
        }
    }
    if let Some(name) = outputs.keys().find(|name| name.as_str() != "html") {
        return Err(lang.fill(lab_i18n::words::SERVE_UNKNOWN_RENDERER, &[("file", &file), ("name", name)]));
    }
    Ok(())
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

    /// A folder with `book/` (`toml` as its book.toml, one chapter) and an empty `labs/`
    /// beside it, where the lab preprocessor looks.
    fn book_with(toml: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        std::fs::create_dir_all(book.join("src")).unwrap();
        std::fs::create_dir(dir.path().join("labs")).unwrap();
        std::fs::write(book.join("book.toml"), toml).unwrap();
        std::fs::write(book.join("src/SUMMARY.md"), "# Summary\n\n- [One](one.md)\n").unwrap();
        std::fs::write(book.join("src/one.md"), "# One\n").unwrap();
        dir
    }

    #[test]
    fn a_book_naming_other_commands_is_refused_before_anything_runs() {
        for (table, named) in [
            ("[preprocessor.evil]\ncommand = \"touch {pwned}\"\n", "preprocessor `evil`"),
            ("[preprocessor.links]\ncommand = \"touch {pwned}\"\n", "preprocessor `links`"),
            ("[output.html]\n[output.evil]\ncommand = \"touch {pwned}\"\n", "renderer `evil`"),
        ] {
            let out = tempfile::tempdir().unwrap();
            let pwned = out.path().join("pwned");
            let book = book_with(&format!(
                "[book]\ntitle = \"t\"\n{}",
                table.replace("{pwned}", &pwned.display().to_string())
            ));
            let e = build(&book.path().join("book"), &out.path().join("site"), Language::english())
                .unwrap_err()
                .to_string();
            assert!(e.contains(named) && e.contains("lab serve"), "{e}");
            assert!(!pwned.exists(), "{table}: a command ran");
        }
        let ok = book_with("[book]\ntitle = \"t\"\n[preprocessor.lab]\ncommand = \"mdbook-lab\"\n[preprocessor.gettext]\ncommand = \"x\"\n[preprocessor.index]\n[output.html]\n");
        let out = tempfile::tempdir().unwrap();
        build(&ok.path().join("book"), &out.path().join("site"), Language::english()).unwrap();
        assert!(out.path().join("site/one.html").is_file());
    }

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
