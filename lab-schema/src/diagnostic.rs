//! The diagnostics of lab files: [`LabError`] (one problem, with file, line, column and a
//! label on the offending span) and [`LabErrors`] (every problem of one file). Loading and
//! validation both produce them, so they live apart from both.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One problem in one lab file, pointing at the offending span.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(lab::invalid))]
pub struct LabError {
    pub message: String,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    #[source_code]
    src: NamedSource<Arc<String>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    pub help: Option<String>,
}

impl LabError {
    pub(crate) fn new(
        file: &Path,
        text: &Arc<String>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> LabError {
        let (line, column) = span.as_ref().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        LabError {
            message: message.into(),
            file: file.to_path_buf(),
            line,
            column,
            src: NamedSource::new(file.display().to_string(), text.clone()),
            span: span.map(|s| SourceSpan::from(s.start..s.end.max(s.start))),
            label: label.into(),
            help,
        }
    }

    /// `labs/x.toml:12:5: message` — the one-line form for logs and non-TTY output.
    pub fn one_line(&self) -> String {
        let mut s = format!("{}:{}:{}: {}", self.file.display(), self.line, self.column, self.message);
        if let Some(h) = &self.help {
            s.push_str(&format!(" ({h})"));
        }
        s
    }
}

/// Every problem found in one lab file (at least one).
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{} has {} problem{}", file.display(), errors.len(), if errors.len() == 1 { "" } else { "s" })]
pub struct LabErrors {
    pub file: PathBuf,
    #[related]
    pub errors: Vec<LabError>,
}

impl LabErrors {
    /// All problems, one line each, `file:line:col: message`.
    pub fn one_line_each(&self) -> String {
        self.errors.iter().map(LabError::one_line).collect::<Vec<_>>().join("\n")
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}
