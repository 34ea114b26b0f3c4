//! The learner's progress across labs: which labs scored full marks, when first, with
//! which score and on which swarm. Kept in `progress.json` in swarm-lab's state folder
//! ([`lab_engine::dirs::state`]: `$XDG_STATE_HOME/swarm-lab`, default `~/.local/state/swarm-lab`,
//! `%LOCALAPPDATA%\swarm-lab` on Windows), written by `lab check` (every mode)
//! and `lab serve` when a lab passes, read by `lab list` and the served book.
//!
//! Writes are atomic (a temp file in the same folder, then a rename). A file that cannot
//! be read as progress is never fatal: it is renamed aside (`progress.json.corrupt-<time>`)
//! with a warning, and progress starts afresh.

use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One completed lab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabProgress {
    /// When the lab first scored full marks (RFC 3339, UTC).
    pub completed_at: String,
    pub best_score: u32,
    pub max_score: u32,
    /// The swarm it was completed on.
    pub swarm_id: String,
}

/// Everything in progress.json.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub labs: BTreeMap<String, LabProgress>,
}

/// Why progress could not be saved (reading never fails).
#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    #[error(
        "no place for progress: neither XDG_STATE_HOME nor {} is set; set XDG_STATE_HOME to a folder",
        lab_engine::dirs::STATE_BASE_VAR
    )]
    NoHome,
    #[error("cannot save progress to {}: {source}. Check that the folder is writable, or set XDG_STATE_HOME", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// `progress.json` in swarm-lab's state folder ([`lab_engine::dirs::state`]).
/// `env` looks a variable up (`std::env::var`), so tests can pass their own.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, ProgressError> {
    Ok(lab_engine::dirs::state(env).ok_or(ProgressError::NoHome)?.join("progress.json"))
}

/// Reads progress. A missing file is no progress; a corrupt one is renamed aside and the
/// returned warning says where it went.
pub fn load(path: &Path) -> (Progress, Option<String>) {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Progress::default(), None),
        Err(e) => {
            return (Progress::default(), Some(format!("cannot read {}: {e}; progress not shown", path.display())))
        }
    };
    match serde_json::from_slice::<Progress>(&text) {
        Ok(p) => (p, None),
        Err(e) => {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let aside = path.with_file_name(format!("progress.json.corrupt-{stamp}"));
            let moved = std::fs::rename(path, &aside);
            let warning = match moved {
                Ok(()) => format!(
                    "{} is not a progress file ({e}); moved it to {} and started afresh",
                    path.display(),
                    aside.display()
                ),
                Err(m) => format!("{} is not a progress file ({e}) and cannot be moved aside ({m})", path.display()),
            };
            (Progress::default(), Some(warning))
        }
    }
}

/// Records `report` when it scored full marks on the whole lab; returns whether the file
/// changed. Only the first pass time is kept; the best score only goes up. Also returns the
/// warning [`load`] gave, if any.
pub fn record(path: &Path, report: &Report) -> Result<(bool, Option<String>), ProgressError> {
    if !report.passed || report.score < report.max_score || report.max_score == 0 {
        return Ok((false, None));
    }
    let (mut progress, warning) = load(path);
    let entry = progress.labs.entry(report.lab.clone()).or_insert_with(|| LabProgress {
        completed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        best_score: 0,
        max_score: report.max_score,
        swarm_id: report.cluster.swarm_id.clone(),
    });
    if entry.best_score >= report.score {
        return Ok((false, warning));
    }
    entry.best_score = report.score;
    entry.max_score = report.max_score;
    save(path, &progress)?;
    Ok((true, warning))
}

/// Writes `progress` atomically: a temp file beside `path`, synced, then renamed over it.
pub fn save(path: &Path, progress: &Progress) -> Result<(), ProgressError> {
    let err = |source| ProgressError::Write { path: path.to_path_buf(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    let json = serde_json::to_vec_pretty(progress).expect("progress serializes");
    tmp.write_all(&json).and_then(|()| tmp.write_all(b"\n")).and_then(|()| tmp.as_file().sync_all()).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ClusterInfo;

    fn report(score: u32) -> Report {
        Report {
            lab: "day6-voting-app".into(),
            title: "t".into(),
            score,
            max_score: 100,
            passed: score == 100,
            cluster: ClusterInfo { swarm_id: "swarm1".into(), ..Default::default() },
            checks: Vec::new(),
        }
    }

    #[test]
    fn default_path_prefers_xdg_state_home_then_home() {
        let env = |k: &str| match k {
            "XDG_STATE_HOME" => Some("/s".to_string()),
            "HOME" => Some("/h".to_string()),
            _ => None,
        };
        assert_eq!(default_path(&env).unwrap(), Path::new("/s/swarm-lab/progress.json"));
        let env = |k: &str| (k == "HOME").then(|| "/h".to_string());
        assert_eq!(default_path(&env).unwrap(), Path::new("/h/.local/state/swarm-lab/progress.json"));
        assert!(matches!(default_path(&|_| None), Err(ProgressError::NoHome)));
    }

    #[test]
    fn a_pass_is_recorded_once_with_its_first_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("swarm-lab/progress.json");
        assert!(!record(&path, &report(60)).unwrap().0, "a partial score is not a completion");
        assert!(!path.exists());
        assert!(record(&path, &report(100)).unwrap().0);
        let (p, warning) = load(&path);
        assert!(warning.is_none());
        let first = p.labs["day6-voting-app"].clone();
        assert_eq!((first.best_score, first.swarm_id.as_str()), (100, "swarm1"));
        assert!(chrono::DateTime::parse_from_rfc3339(&first.completed_at).is_ok(), "{}", first.completed_at);
        assert!(!record(&path, &report(100)).unwrap().0, "a second pass changes nothing");
        assert_eq!(load(&path).0.labs["day6-voting-app"], first);
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_and_progress_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.json");
        std::fs::write(&path, "{ not json").unwrap();
        let (p, warning) = load(&path);
        assert!(p.labs.is_empty());
        assert!(warning.unwrap().contains("moved it to"));
        let aside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(aside.iter().any(|n| n.to_string_lossy().starts_with("progress.json.corrupt-")), "{aside:?}");
        assert!(record(&path, &report(100)).unwrap().0);
        assert_eq!(load(&path).0.labs.len(), 1);
    }
}
