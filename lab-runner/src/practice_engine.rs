//! The practice swarm as an engine to grade: whether one is up (either driver) and its
//! node1, for two mistakes a learner makes on the way in. `lab check` on the default
//! socket (or on an engine that does not answer) while a practice swarm runs says to
//! `eval "$(lab cluster env)"` (in the learner's shell's own form); `lab serve` started
//! before that eval reads the practice swarm when the engine docker's rules find is not a
//! swarm manager (see lab-serve's `Engine::Follow`).
//!
//! Finding it is cheap and silent: the netns driver's state file, or one container list on
//! the user's engine for the docker driver, bounded by [`PROBE_TIME`]; nothing is printed.

use crate::args::EngineArgs;
use crate::env_lines::EnvShell;
use lab_engine::{ClusterError, Endpoint};
use lab_i18n::{words, Language};
use std::time::Duration;

/// How long finding the docker driver's swarm may take.
pub(crate) const PROBE_TIME: Duration = Duration::from_secs(3);

/// Node 1 of the practice swarm that is up, if one is: the netns driver's (as root on
/// Linux), else the docker driver's on the user's engine (`engine`, found as `lab cluster`
/// finds it).
pub(crate) async fn node1(engine: &EngineArgs) -> Option<Endpoint> {
    #[cfg(target_os = "linux")]
    if let Some(ep) = netns_node1() {
        return Some(ep);
    }
    let user_engine = crate::command::docker_cluster::engine_quietly(engine)?;
    tokio::time::timeout(PROBE_TIME, crate::command::docker_cluster::node1(&user_engine)).await.ok().flatten()
}

#[cfg(target_os = "linux")]
fn netns_node1() -> Option<Endpoint> {
    let vars = private_swarm::practice::Practice::from_env().env_vars(1).ok()?;
    let host = vars.into_iter().find(|(k, _)| *k == "DOCKER_HOST")?.1?;
    Some(Endpoint { host, tls: None, context: None, source: words::PRACTICE_SWARM.into() })
}

/// Whether an error on `endpoint` may mean the learner meant the practice swarm: the
/// default socket (nothing named an engine) that does not answer as a manager, or any
/// engine that does not answer at all.
pub(crate) fn may_mean_practice(endpoint: &Endpoint, e: &ClusterError) -> bool {
    let unanswered = matches!(e, ClusterError::Unreachable { .. } | ClusterError::Timeout { .. });
    let default = endpoint.source == words::DEFAULT_SOCKET;
    unanswered || (default && matches!(e, ClusterError::NotSwarm { .. } | ClusterError::NotManager { .. }))
}

/// After `e` on `endpoint` (found from `engine`), what to run to point at the practice
/// swarm, when the learner may have meant it and one is up that `endpoint` is not.
pub(crate) async fn hint_after(
    lang: Language,
    engine: &EngineArgs,
    endpoint: &Endpoint,
    e: &ClusterError,
) -> Option<String> {
    if !may_mean_practice(endpoint, e) {
        return None;
    }
    let node1 = node1(engine).await?;
    if node1.host == endpoint.host {
        return None;
    }
    let shell = EnvShell::detect(&|k| std::env::var(k).ok());
    Some(hint(lang, shell, &crate::me()))
}

/// `message` (an engine error), then the hint of [`hint_after`] when there is one.
pub(crate) async fn with_hint(
    lang: Language,
    message: String,
    engine: &EngineArgs,
    endpoint: &Endpoint,
    e: &ClusterError,
) -> String {
    match hint_after(lang, engine, endpoint, e).await {
        Some(hint) => format!("{message}. {hint}"),
        None => message,
    }
}

/// What to run to point `lab` and `docker` at the practice swarm, in the learner's shell
/// (`eval "$(lab cluster env)"`; PowerShell: `lab cluster env | Invoke-Expression`).
pub(crate) fn hint(lang: Language, shell: EnvShell, me: &str) -> String {
    let apply = shell.apply(&format!("{me} cluster env"));
    lang.fill(words::PRACTICE_SWARM_IS_UP, &[("command", &apply)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(source: &str) -> Endpoint {
        Endpoint { host: "unix:///var/run/docker.sock".into(), tls: None, context: None, source: source.into() }
    }

    #[test]
    fn the_default_socket_that_is_no_manager_or_any_engine_that_does_not_answer() {
        let unreachable = ClusterError::Unreachable { host: "h".into(), why: "no socket".into() };
        let not_swarm = ClusterError::NotSwarm { host: "h".into(), state: "inactive".into() };
        let tls = ClusterError::Tls { host: "h".into(), why: "bad CA".into() };
        assert!(may_mean_practice(&ep(words::DEFAULT_SOCKET), &unreachable));
        assert!(may_mean_practice(&ep(words::DEFAULT_SOCKET), &not_swarm));
        assert!(may_mean_practice(&ep("DOCKER_HOST"), &unreachable));
        assert!(!may_mean_practice(&ep("DOCKER_HOST"), &not_swarm), "an engine the learner named, answering");
        assert!(!may_mean_practice(&ep(words::DEFAULT_SOCKET), &tls));
    }

    #[test]
    fn the_hint_is_pasted_in_the_learners_shell() {
        let en = Language::english();
        let posix = hint(en, EnvShell::Posix, "lab");
        assert!(posix.contains("`eval \"$(lab cluster env)\"`"), "{posix}");
        let ps = hint(en, EnvShell::Powershell, "lab");
        assert!(ps.contains("`& lab cluster env | Invoke-Expression`"), "{ps}");
        let zh = hint(Language::parse("zh-TW").unwrap(), EnvShell::Posix, "lab");
        assert!(
            zh.contains("`eval \"$(lab cluster env)\"`") && !zh.contains("practice swarm") && zh.contains("練習用叢集"),
            "{zh}"
        );
    }
}
