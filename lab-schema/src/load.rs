//! Reading lab files: TOML → raw layer → validated [`Lab`], with every problem reported as
//! a diagnostic that names the file, the line and column, and what was expected.

use crate::lab::{Lab, RawLab};
use crate::validate;
use miette::{Diagnostic, NamedSource, SourceSpan};
use std::fmt;
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
        let (line, column) = span
            .as_ref()
            .map(|s| line_col(text, s.start))
            .unwrap_or((1, 1));
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

/// Loads and validates one lab file. The file's stem must be the lab id.
pub fn load_file(path: &Path) -> Result<Lab, LabErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| LabErrors {
        file: path.to_path_buf(),
        errors: vec![LabError::new(
            path,
            &Arc::new(String::new()),
            None,
            format!("cannot read {}: {e}", path.display()),
            "",
            Some("check the path; lab files live in labs/<lab-id>.toml".into()),
        )],
    })?;
    load_str(path, &text)
}

/// Loads and validates lab text as if read from `path` (used for embedded labs and tests).
pub fn load_str(path: &Path, text: &str) -> Result<Lab, LabErrors> {
    let text = Arc::new(text.to_string());
    let raw: RawLab = toml::from_str(&text).map_err(|e| LabErrors {
        file: path.to_path_buf(),
        errors: vec![from_toml_error(path, &text, &e)],
    })?;
    validate::validate(path, &text, raw).map_err(|errors| LabErrors { file: path.to_path_buf(), errors })
}

fn from_toml_error(path: &Path, text: &Arc<String>, e: &toml::de::Error) -> LabError {
    let message = e.message().trim().to_string();
    let message = message.replace("\n", " ");
    let help = if message.contains("unknown field") {
        Some("see labs/README.md for the fields each table takes".to_string())
    } else if message.contains("missing field") {
        Some("every lab needs id, title, lesson, goal, answer and [[check]] tables; every check needs id, title, points, hint, fix and one assertion".to_string())
    } else {
        None
    };
    LabError::new(path, text, e.span(), message, "here", help)
}

/// The lab files in a directory, sorted by id, each loaded and validated.
pub fn load_dir(dir: &Path) -> Result<Vec<Lab>, Vec<LabErrors>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            return Err(vec![LabErrors {
                file: dir.to_path_buf(),
                errors: vec![LabError::new(
                    dir,
                    &Arc::new(String::new()),
                    None,
                    format!("cannot read the lab directory {}: {e}", dir.display()),
                    "",
                    Some("pass --labs DIR or set SWARM_LAB_LABS to the folder holding <lab-id>.toml files".into()),
                )],
            }])
        }
    };
    files.sort();
    let (mut labs, mut errors) = (Vec::new(), Vec::new());
    for f in files {
        match load_file(&f) {
            Ok(l) => labs.push(l),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(labs)
    } else {
        Err(errors)
    }
}

impl fmt::Display for crate::lab::AnswerStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            Some(n) => write!(f, "{n}$ {}", self.command),
            None => f.write_str(&self.command),
        }
    }
}
