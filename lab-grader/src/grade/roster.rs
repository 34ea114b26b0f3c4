//! The class roster: a CSV file with a header, one learner per row, naming the engine to
//! grade (`endpoint`, or a docker `context`) and, for `tcp://` endpoints with TLS, the
//! `ca`, `cert` and `key` files (relative to the roster).
//!
//! Every problem names the roster line and column. Header problems stop parsing; row
//! problems are all collected, so an instructor fixes the file in one pass. Learner names
//! become file names (`feedback/<learner>.md`), so names that are not safe file names are
//! rejected, never rewritten: the gradebook always shows the name the roster gave.

use lab_engine::endpoint::{self, Endpoint, EndpointRequest, TlsFiles};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The columns a roster may have; the first two are required.
pub const KNOWN_COLUMNS: &[&str] = &["learner", "endpoint", "context", "ca", "cert", "key"];

/// Longest learner name accepted (a file name with `.md` appended must fit 255 bytes).
pub const MAX_NAME_LEN: usize = 100;

/// One row of the roster, checked but not yet resolved to an engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// Line of the roster the row starts on (1 is the header).
    pub line: u64,
    pub learner: String,
    pub target: Target,
}

/// Which engine a learner's row names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An address (`unix://`, `tcp://`, `ssh://`), with TLS files for `tcp://` when given.
    Endpoint { host: String, tls: Option<TlsFiles> },
    /// A docker context name, resolved like `docker --context NAME`.
    Context(String),
}

/// A roster that parsed: learners in file order, names unique.
#[derive(Debug, Clone)]
pub struct Roster {
    pub path: PathBuf,
    pub entries: Vec<RosterEntry>,
}

/// A learner with the engine to grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learner {
    pub name: String,
    /// Roster line, for messages.
    pub line: u64,
    pub endpoint: Endpoint,
}

/// One problem in a roster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    #[error("cannot read the roster: {why}")]
    Unreadable { why: String },
    #[error("the roster is empty: it needs a header line `learner,endpoint` and one row per learner")]
    Empty,
    #[error("line 1 (header): required column `{column}` is missing (known columns: {})", KNOWN_COLUMNS.join(", "))]
    MissingColumn { column: &'static str },
    #[error("line 1 (header): unknown column{} {} (known columns: {})", if .columns.len() == 1 { "" } else { "s" }, quoted(.columns), KNOWN_COLUMNS.join(", "))]
    UnknownColumns { columns: Vec<String> },
    #[error("line 1 (header): column `{column}` appears twice")]
    RepeatedColumn { column: String },
    #[error("line {line}: {why}")]
    Malformed { line: u64, why: String },
    #[error("line {line}, column `{column}`: {why}")]
    Cell { line: u64, column: &'static str, why: String },
    #[error("line {line}, column `learner`: duplicate learner `{learner}`: line {first_line} already has `{first}`{}", if .learner == .first { "" } else { " (names are compared ignoring case, as file names on some systems are)" })]
    DuplicateLearner { line: u64, learner: String, first_line: u64, first: String },
}

fn quoted(cols: &[String]) -> String {
    cols.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
}

impl RosterError {
    /// The roster line the problem is on (1 for the header), when it has one.
    pub fn line(&self) -> Option<u64> {
        match self {
            RosterError::MissingColumn { .. }
            | RosterError::UnknownColumns { .. }
            | RosterError::RepeatedColumn { .. } => Some(1),
            RosterError::Malformed { line, .. }
            | RosterError::Cell { line, .. }
            | RosterError::DuplicateLearner { line, .. } => Some(*line),
            RosterError::Unreadable { .. } | RosterError::Empty => None,
        }
    }

    /// The column the problem is in, when it is in one.
    pub fn column(&self) -> Option<&str> {
        match self {
            RosterError::MissingColumn { column } => Some(column),
            RosterError::Cell { column, .. } => Some(column),
            RosterError::DuplicateLearner { .. } => Some("learner"),
            _ => None,
        }
    }
}

/// Every problem found in one roster file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterErrors {
    pub path: PathBuf,
    pub errors: Vec<RosterError>,
}

impl fmt::Display for RosterErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(f, "{}: {n} problem{}", self.path.display(), if n == 1 { "" } else { "s" })?;
        for e in &self.errors {
            write!(f, "\n  {}: {e}", self.path.display())?;
        }
        Ok(())
    }
}

impl std::error::Error for RosterErrors {}

/// Why `name` cannot be a learner name, if it cannot. Names become file names, so they
/// are limited to letters, digits and `.` `_` `-` `@` `+`, start with a letter or digit
/// (never `.`, `-` or a spreadsheet formula character) and are at most 100 bytes.
pub fn unsafe_name(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the learner name is empty".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Some(format!("`{name}` is {} bytes long; learner names are at most {MAX_NAME_LEN}", name.len()));
    }
    let bad: Vec<char> = {
        let mut v: Vec<char> = name.chars().filter(|c| !(c.is_ascii_alphanumeric() || "._-@+".contains(*c))).collect();
        v.dedup();
        v
    };
    let suggestion = || {
        let mut s: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || "._-@+".contains(c) { c.to_ascii_lowercase() } else { '-' })
            .collect();
        while s.contains("--") {
            s = s.replace("--", "-");
        }
        let s = s.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string();
        if s.is_empty() {
            String::new()
        } else {
            format!(" (for example `{s}`)")
        }
    };
    if !bad.is_empty() {
        let shown: Vec<String> =
            bad.iter().map(|c| if *c == ' ' { "space".to_string() } else { format!("`{c}`") }).collect();
        return Some(format!(
            "learner `{name}` is not a safe file name (it becomes feedback/{name}.md): {} not allowed; use letters, digits and . _ - @ +{}",
            shown.join(", "),
            suggestion()
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Some(format!("learner `{name}` must start with a letter or a digit{}", suggestion()));
    }
    None
}

/// Parses roster text. `base` is the folder the `ca`/`cert`/`key` paths are relative to.
pub fn parse_str(path: &Path, text: &str, base: &Path) -> Result<Roster, RosterErrors> {
    let fail = |errors: Vec<RosterError>| RosterErrors { path: path.to_path_buf(), errors };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(fail(vec![RosterError::Malformed { line: 1, why: csv_why(&e) }])),
    };
    if headers.iter().all(str::is_empty) {
        return Err(fail(vec![RosterError::Empty]));
    }

    let mut col: HashMap<&'static str, usize> = HashMap::new();
    let mut unknown = Vec::new();
    let mut header_errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.to_ascii_lowercase();
        match KNOWN_COLUMNS.iter().find(|k| **k == name) {
            Some(k) => {
                if col.insert(k, i).is_some() {
                    header_errors.push(RosterError::RepeatedColumn { column: name });
                }
            }
            None => unknown.push(if h.is_empty() { format!("(empty, column {})", i + 1) } else { h.to_string() }),
        }
    }
    if !unknown.is_empty() {
        header_errors.push(RosterError::UnknownColumns { columns: unknown });
    }
    for required in ["learner", "endpoint"] {
        if !col.contains_key(required) {
            header_errors.push(RosterError::MissingColumn { column: required });
        }
    }
    if !header_errors.is_empty() {
        return Err(fail(header_errors));
    }

    // csv's own line count skips comment lines, and a record's byte offset is where the
    // reader started, before any comment or blank lines it skipped: step over those and
    // count newlines, for the line an editor shows.
    let line_at = |pos: Option<&csv::Position>| {
        let Some(p) = pos else { return 0 };
        let bytes = text.as_bytes();
        let mut at = (p.byte() as usize).min(bytes.len());
        loop {
            let end = bytes[at..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| at + i);
            let line = &bytes[at..end];
            let skipped = line.first() == Some(&b'#') || line.iter().all(u8::is_ascii_whitespace);
            if !skipped || end == bytes.len() {
                break;
            }
            at = end + 1;
        }
        1 + bytes[..at].iter().filter(|b| **b == b'\n').count() as u64
    };
    let mut errors = Vec::new();
    let mut entries: Vec<RosterEntry> = Vec::new();
    let mut seen: HashMap<String, (u64, String)> = HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = line_at(e.position());
                errors.push(RosterError::Malformed { line, why: csv_why(&e) });
                continue;
            }
        };
        let line = line_at(rec.position());
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rec.len() != headers.len() {
            errors.push(RosterError::Malformed {
                line,
                why: format!(
                    "{} fields, but the header has {} ({}); quote a value that contains a comma",
                    rec.len(),
                    headers.len(),
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            });
            continue;
        }
        let get = |c: &str| col.get(c).and_then(|i| rec.get(*i)).unwrap_or("");
        let before = errors.len();
        let mut cell = |column: &'static str, why: String| errors.push(RosterError::Cell { line, column, why });

        let learner = get("learner").to_string();
        if let Some(why) = unsafe_name(&learner) {
            cell("learner", why);
        } else {
            let key = learner.to_lowercase();
            if let Some((first_line, first)) = seen.get(&key) {
                errors.push(RosterError::DuplicateLearner {
                    line,
                    learner: learner.clone(),
                    first_line: *first_line,
                    first: first.clone(),
                });
            } else {
                seen.insert(key, (line, learner.clone()));
            }
        }
        let mut cell = |column: &'static str, why: String| errors.push(RosterError::Cell { line, column, why });

        let (host, context) = (get("endpoint"), get("context"));
        let tls_cells: Vec<(&'static str, &str)> = ["ca", "cert", "key"].into_iter().map(|c| (c, get(c))).collect();
        let any_tls = tls_cells.iter().any(|(_, v)| !v.is_empty());
        let target = match (host.is_empty(), context.is_empty()) {
            (true, true) => {
                cell(
                    "endpoint",
                    "no engine: give an endpoint (unix:///path, tcp://host:port, ssh://user@host) or a docker context"
                        .into(),
                );
                None
            }
            (false, false) => {
                cell(
                    "context",
                    format!("give either an endpoint or a context, not both (endpoint `{host}`, context `{context}`)"),
                );
                None
            }
            (true, false) => {
                if any_tls {
                    let c = tls_cells.iter().find(|(_, v)| !v.is_empty()).map(|(c, _)| *c).unwrap_or("ca");
                    cell(c, format!("context `{context}` brings its own TLS files; leave ca, cert and key empty"));
                    None
                } else {
                    Some(Target::Context(context.to_string()))
                }
            }
            (false, true) => match lab_engine::endpoint::parse_host(host).map(drop) {
                Err(why) => {
                    cell("endpoint", why.to_string());
                    None
                }
                Ok(()) if !any_tls => Some(Target::Endpoint { host: host.to_string(), tls: None }),
                Ok(()) if !host.starts_with("tcp://") => {
                    let c = tls_cells.iter().find(|(_, v)| !v.is_empty()).map(|(c, _)| *c).unwrap_or("ca");
                    cell(c, format!("TLS files only apply to tcp:// endpoints, not `{host}`"));
                    None
                }
                Ok(()) => {
                    let mut paths = Vec::new();
                    for (c, v) in &tls_cells {
                        if v.is_empty() {
                            cell(c, format!("`{c}` is empty, but TLS needs all three of ca, cert and key"));
                            continue;
                        }
                        let p = base.join(v);
                        if !p.is_file() {
                            cell(
                                c,
                                format!("no such file: {} (paths are relative to the roster's folder)", p.display()),
                            );
                            continue;
                        }
                        paths.push(p);
                    }
                    match <[PathBuf; 3]>::try_from(paths) {
                        Ok([ca, cert, key]) => {
                            Some(Target::Endpoint { host: host.to_string(), tls: Some(TlsFiles { ca, cert, key }) })
                        }
                        Err(_) => None,
                    }
                }
            },
        };
        if errors.len() == before {
            if let Some(target) = target {
                entries.push(RosterEntry { line, learner, target });
            }
        }
    }
    if !errors.is_empty() {
        return Err(fail(errors));
    }
    if entries.is_empty() {
        return Err(fail(vec![RosterError::Empty]));
    }
    Ok(Roster { path: path.to_path_buf(), entries })
}

fn csv_why(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text; save the roster as UTF-8 CSV".into(),
        _ => e.to_string(),
    }
}

/// Reads and parses the roster file at `path`.
pub fn load(path: &Path) -> Result<Roster, RosterErrors> {
    let text = std::fs::read(path).map_err(|e| RosterErrors {
        path: path.to_path_buf(),
        errors: vec![RosterError::Unreadable { why: e.to_string() }],
    })?;
    let text = String::from_utf8(text).map_err(|e| RosterErrors {
        path: path.to_path_buf(),
        errors: vec![RosterError::Malformed {
            line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64,
            why: "not UTF-8 text; save the roster as UTF-8 CSV".into(),
        }],
    })?;
    let base = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parse_str(path, &text, base)
}

impl Roster {
    /// Turns every row into an engine endpoint; contexts are looked up as the docker CLI
    /// does, in the docker config folder that `env` names (`DOCKER_CONFIG`, else `~/.docker`).
    pub fn resolve(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Vec<Learner>, RosterErrors> {
        let mut errors = Vec::new();
        let mut learners = Vec::new();
        for e in &self.entries {
            let source = format!("roster line {}", e.line);
            match &e.target {
                Target::Endpoint { host, tls } => learners.push(Learner {
                    name: e.learner.clone(),
                    line: e.line,
                    endpoint: Endpoint { host: host.clone(), tls: tls.clone(), context: None, source },
                }),
                Target::Context(name) => {
                    let req = EndpointRequest { host: None, context: Some(name.clone()) };
                    match endpoint::resolve(&req, env) {
                        Ok(mut ep) => {
                            ep.source = format!("{source}, context \"{name}\"");
                            learners.push(Learner { name: e.learner.clone(), line: e.line, endpoint: ep });
                        }
                        Err(err) => {
                            errors.push(RosterError::Cell { line: e.line, column: "context", why: err.to_string() })
                        }
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(learners)
        } else {
            Err(RosterErrors { path: self.path.clone(), errors })
        }
    }
}
