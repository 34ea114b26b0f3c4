//! Where a user's files are, per platform: the home folder (where the docker CLI keeps
//! `.docker`) and swarm-lab's own state folder (progress, the docker driver's client
//! certificates).
//!
//! The state folder is `$XDG_STATE_HOME/swarm-lab` when that variable names an absolute
//! folder, on every system; else `~/.local/state/swarm-lab` on Linux and macOS (the XDG
//! default: a command-line tool's state, and a path without spaces for `DOCKER_CERT_PATH`
//! lines that learners copy, rather than `~/Library/Application Support`), and
//! `%LOCALAPPDATA%\swarm-lab` on Windows.

use std::path::{Path, PathBuf};

/// The variable that names the home folder: `HOME`, or `USERPROFILE` on Windows (where
/// the docker CLI looks for `.docker` too).
pub const HOME_VAR: &str = if cfg!(windows) { "USERPROFILE" } else { "HOME" };

/// The variable the state folder defaults under when XDG_STATE_HOME is not set.
pub const STATE_BASE_VAR: &str = if cfg!(windows) { "LOCALAPPDATA" } else { "HOME" };

/// The user's home folder, if the environment names one.
pub fn home(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env(HOME_VAR).filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// swarm-lab's state folder (see the module docs), if the environment names a place for it.
pub fn state(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    state_on(cfg!(windows), env)
}

fn state_on(windows: bool, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = match env("XDG_STATE_HOME").filter(|v| Path::new(v).is_absolute()) {
        Some(d) => PathBuf::from(d),
        None if windows => PathBuf::from(env("LOCALAPPDATA").filter(|d| !d.is_empty())?),
        None => PathBuf::from(env("HOME").filter(|h| !h.is_empty())?).join(".local/state"),
    };
    Some(base.join("swarm-lab"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(name, _)| *name == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn unix_state_follows_xdg_then_home() {
        let both = env_of(&[("XDG_STATE_HOME", "/s"), ("HOME", "/h"), ("LOCALAPPDATA", "/l")]);
        assert_eq!(state_on(false, &both).unwrap(), Path::new("/s/swarm-lab"));
        let relative_xdg = env_of(&[("XDG_STATE_HOME", "relative"), ("HOME", "/h")]);
        assert_eq!(state_on(false, &relative_xdg).unwrap(), Path::new("/h/.local/state/swarm-lab"));
        assert_eq!(state_on(false, &env_of(&[("HOME", "")])), None);
    }

    #[test]
    fn windows_state_is_under_local_app_data() {
        const LOCAL: &str = r"C:\Users\ana\AppData\Local";
        let env = env_of(&[("LOCALAPPDATA", LOCAL), ("HOME", "/h")]);
        assert_eq!(state_on(true, &env).unwrap(), Path::new(LOCAL).join("swarm-lab"));
        assert_eq!(state_on(true, &env_of(&[("HOME", "/h")])), None, "HOME is not where Windows keeps app data");
    }
}
