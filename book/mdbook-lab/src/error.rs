//! Why a book build fails: bad `[preprocessor.lab]` settings, bad lab files (reported with
//! lab-schema's `file:line:col` diagnostics), or bad `{{#lab}}` directives (reported as
//! `book/src/chapter.md:42: …`). Every message ends with what to do next.

use lab_schema::LabErrors;
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// A `{{#lab}}` problem at one line of one chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterError {
    /// The chapter's source file, as shown to the reader (see [`shown_path`]).
    pub file: String,
    /// 1-based line in the chapter's source.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ChapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Everything that stops the preprocessor from producing a book.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// `[preprocessor.lab]` or `MDBOOK_LAB_SOLUTIONS` holds a value it cannot use.
    #[error("{0}")]
    Config(String),
    /// One or more lab files do not load; each line is `file:line:col: message`.
    #[error("{}", labs_message(.0))]
    Labs(Vec<LabErrors>),
    /// One or more chapters hold a `{{#lab}}` directive that cannot be rendered.
    #[error("{}", chapters_message(.0))]
    Chapters(Vec<ChapterError>),
}

fn labs_message(errors: &[LabErrors]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for file in errors {
        for e in &file.errors {
            let mut line = format!("{}:{}:{}: {}", shown_path(&e.file), e.line, e.column, e.message);
            if let Some(help) = &e.help {
                line.push_str(&format!(" ({help})"));
            }
            lines.push(line);
        }
    }
    format!(
        "{}\nthe book renders its lab cards from these files: fix them (the `lab` CLI reports the same problems) and build again",
        lines.join("\n")
    )
}

fn chapters_message(errors: &[ChapterError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// A path as the reader should see it in a message: lexically normalised (`book/../labs`
/// becomes `labs`) and relative to the directory the reader ran mdBook from, when it is
/// inside it. mdBook runs a command preprocessor from the book root, so the reader's
/// directory is taken from `PWD` (set by their shell) before the process's own.
pub fn shown_path(path: &Path) -> String {
    let path = normalize(path);
    let base = std::env::var_os("PWD")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_dir())
        .or_else(|| std::env::current_dir().ok())
        .map(|p| normalize(&p));
    match base.as_deref().and_then(|b| path.strip_prefix(b).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => path.display().to_string(),
    }
}

/// Removes `.` and resolves `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped = matches!(out.components().next_back(), Some(Component::Normal(_))) && out.pop();
                if !popped && !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_parent_dirs() {
        assert_eq!(normalize(Path::new("/w/book/../labs/./x.toml")), Path::new("/w/labs/x.toml"));
        assert_eq!(normalize(Path::new("../labs")), Path::new("../labs"));
        assert_eq!(normalize(Path::new("a/../../b")), Path::new("../b"));
    }

    #[test]
    fn chapter_errors_read_file_colon_line() {
        let e = BuildError::Chapters(vec![ChapterError {
            file: "book/src/voting-app.md".into(),
            line: 42,
            message: "unknown lab".into(),
        }]);
        assert_eq!(e.to_string(), "book/src/voting-app.md:42: unknown lab");
    }
}
