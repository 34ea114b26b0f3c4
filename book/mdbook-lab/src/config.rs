//! The preprocessor's settings: the raw `[preprocessor.lab]` table of `book.toml` (plus the
//! `MDBOOK_LAB_SOLUTIONS` override) turned into a validated [`LabConfig`], so the rest of
//! the crate never sees a half-read setting.
//!
//! ```toml
//! [preprocessor.lab]
//! command = "mdbook-lab"
//! solutions = false   # true: instructor edition (fix commands, answers, answer chapters)
//! labs = "../labs"    # the folder of <lab-id>.toml files, relative to the book root
//! ```

use crate::error::BuildError;
use mdbook_preprocessor::config::Config;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The name the preprocessor goes by: its table is `[preprocessor.lab]`.
pub const PREPROCESSOR_NAME: &str = "lab";

/// Environment variable that overrides `solutions` (for building the instructor edition
/// without editing `book.toml`): `MDBOOK_LAB_SOLUTIONS=true mdbook build book`.
pub const SOLUTIONS_ENV: &str = "MDBOOK_LAB_SOLUTIONS";

/// Default for `labs`: the workspace's `labs/` folder beside `book/`.
pub const DEFAULT_LABS_DIR: &str = "../labs";

/// Keys of `[preprocessor.lab]` that mdBook itself reads; not ours, but not typos either.
const MDBOOK_KEYS: &[&str] = &["command", "before", "after", "renderers", "optional"];

/// Validated settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabConfig {
    /// Render fix commands and reference answers, and keep answer chapters.
    pub solutions: bool,
    /// Where the lab definitions are read from (already joined to the book root).
    pub labs_dir: PathBuf,
}

impl LabConfig {
    /// Reads `[preprocessor.lab]` from the book's config, then applies `MDBOOK_LAB_SOLUTIONS`.
    /// Returns the settings and any warnings (unknown keys).
    pub fn from_book_config(root: &Path, config: &Config) -> Result<(LabConfig, Vec<String>), BuildError> {
        let key = format!("preprocessor.{PREPROCESSOR_NAME}");
        let table: BTreeMap<String, Value> = config
            .get(&key)
            .map_err(|e| BuildError::Config(format!("[{key}] in book.toml is not a table: {e:#}")))?
            .unwrap_or_default();
        let env = std::env::var(SOLUTIONS_ENV).ok();
        Self::from_table(root, &table, env.as_deref())
    }

    /// The same, from an already-read table and the value of `MDBOOK_LAB_SOLUTIONS` (if set).
    pub fn from_table(
        root: &Path,
        table: &BTreeMap<String, Value>,
        solutions_env: Option<&str>,
    ) -> Result<(LabConfig, Vec<String>), BuildError> {
        let mut warnings = Vec::new();
        let mut solutions = false;
        let mut labs = PathBuf::from(DEFAULT_LABS_DIR);
        for (name, value) in table {
            match (name.as_str(), value) {
                ("solutions", Value::Bool(b)) => solutions = *b,
                ("solutions", other) => {
                    return Err(BuildError::Config(format!(
                        "[preprocessor.lab] solutions must be true or false, found {other}"
                    )))
                }
                ("labs", Value::String(s)) if !s.trim().is_empty() => labs = PathBuf::from(s),
                ("labs", other) => {
                    return Err(BuildError::Config(format!(
                        "[preprocessor.lab] labs must be a path to the folder of lab files \
                         (relative to the book root, e.g. \"{DEFAULT_LABS_DIR}\"), found {other}"
                    )))
                }
                (k, _) if MDBOOK_KEYS.contains(&k) => {}
                (k, _) => warnings.push(format!(
                    "[preprocessor.lab] has an unknown key `{k}`, ignored (known keys: solutions, labs, command)"
                )),
            }
        }
        if let Some(raw) = solutions_env {
            solutions = parse_flag(raw).ok_or_else(|| {
                BuildError::Config(format!("{SOLUTIONS_ENV} must be true or false (or 1 or 0), found {raw:?}"))
            })?;
        }
        Ok((LabConfig { solutions, labs_dir: root.join(labs) }, warnings))
    }
}

fn parse_flag(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn defaults_are_learner_edition_and_sibling_labs() {
        let (c, w) = LabConfig::from_table(Path::new("/b"), &BTreeMap::new(), None).unwrap();
        assert!(!c.solutions);
        assert_eq!(c.labs_dir, Path::new("/b/../labs"));
        assert!(w.is_empty());
    }

    #[test]
    fn env_overrides_book_toml() {
        let t = table(json!({"solutions": false, "command": "mdbook-lab"}));
        let (c, _) = LabConfig::from_table(Path::new("/b"), &t, Some("true")).unwrap();
        assert!(c.solutions);
        let t = table(json!({"solutions": true}));
        let (c, _) = LabConfig::from_table(Path::new("/b"), &t, Some("0")).unwrap();
        assert!(!c.solutions);
    }

    #[test]
    fn bad_values_are_errors_that_name_the_setting() {
        let t = table(json!({"solutions": "yes"}));
        let e = LabConfig::from_table(Path::new("/b"), &t, None).unwrap_err().to_string();
        assert!(e.contains("solutions must be true or false"), "{e}");
        let e = LabConfig::from_table(Path::new("/b"), &BTreeMap::new(), Some("maybe")).unwrap_err();
        assert!(e.to_string().contains(SOLUTIONS_ENV));
    }

    #[test]
    fn a_typo_is_a_warning() {
        let t = table(json!({"solution": true}));
        let (c, w) = LabConfig::from_table(Path::new("/b"), &t, None).unwrap();
        assert!(!c.solutions);
        assert!(w[0].contains("`solution`"), "{w:?}");
    }
}
