//! Which engine a request reads. `lab serve` may well be started before the learner runs
//! `eval "$(lab cluster env)"` (or before the practice swarm exists), and its environment
//! cannot change after that; so unless the engine was named when it started (`--host`,
//! `--context`, `DOCKER_HOST`, `DOCKER_CONTEXT`: then always that one), every request finds
//! it again, as docker would (a `docker context use` counts), and reads the practice swarm
//! instead when a practice swarm is up and that engine does not answer as a swarm manager
//! (no socket, not a swarm). A swarm of the learner's own that answers always wins.
//!
//! The choice costs one `GET /swarm`, and only while a practice swarm is up; what finds the
//! practice swarm is the caller's (the `lab` binary knows both drivers).

use futures_util::future::BoxFuture;
use lab_engine::{Connection, Endpoint};
use std::sync::Arc;
use std::time::Duration;

/// Finds the engine as docker's rules do, now; `Err` says why none was found.
pub type Resolve = Arc<dyn Fn() -> Result<Endpoint, String> + Send + Sync>;
/// Node 1 of the practice swarm, when one is up.
pub type Practice = Arc<dyn Fn() -> BoxFuture<'static, Option<Endpoint>> + Send + Sync>;

/// How long asking the found engine whether it is a swarm manager may take.
const PROBE_TIME: Duration = Duration::from_secs(2);

/// The engine requests read.
#[derive(Clone)]
pub enum Engine {
    /// Named when `lab serve` started: always this one.
    Pinned(Endpoint),
    /// Found again for every request, or the practice swarm (see the module's comment).
    Follow { resolve: Resolve, practice: Practice },
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Engine::Pinned(ep) => f.debug_tuple("Pinned").field(ep).finish(),
            Engine::Follow { .. } => f.write_str("Follow"),
        }
    }
}

impl Engine {
    /// Whether the engine may change from one request to the next.
    pub fn follows(&self) -> bool {
        matches!(self, Engine::Follow { .. })
    }

    /// The engine for one request.
    pub async fn for_request(&self) -> Result<Endpoint, String> {
        let (resolve, practice) = match self {
            Engine::Pinned(ep) => return Ok(ep.clone()),
            Engine::Follow { resolve, practice } => (resolve, practice),
        };
        let found = resolve();
        let Some(node1) = practice().await else { return found };
        match found {
            Ok(ep) if ep.host == node1.host => Ok(ep),
            Ok(ep) if is_manager(&ep).await => Ok(ep),
            _ => Ok(node1),
        }
    }
}

/// Whether `ep` answers `GET /swarm` as a manager within [`PROBE_TIME`].
async fn is_manager(ep: &Endpoint) -> bool {
    let probe = async {
        let conn = Connection::open(ep, PROBE_TIME).await.ok()?;
        conn.docker.inspect_swarm().await.ok()
    };
    tokio::time::timeout(PROBE_TIME, probe).await.ok().flatten().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(host: &str) -> Endpoint {
        Endpoint { host: host.into(), tls: None, context: None, source: "test".into() }
    }

    fn follow(found: Result<Endpoint, String>, practice: Option<Endpoint>) -> Engine {
        Engine::Follow {
            resolve: Arc::new(move || found.clone()),
            practice: Arc::new(move || {
                let p = practice.clone();
                Box::pin(async move { p })
            }),
        }
    }

    #[tokio::test]
    async fn a_missing_socket_gives_way_to_the_practice_swarm_and_only_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let absent = format!("unix://{}/docker.sock", dir.path().display());
        let node1 = ep("unix:///run/practice/n1/docker.sock");
        let e = follow(Ok(ep(&absent)), Some(node1.clone()));
        assert_eq!(e.for_request().await.unwrap().host, node1.host);
        // No practice swarm: the engine docker's rules found, even if it does not answer.
        let e = follow(Ok(ep(&absent)), None);
        assert_eq!(e.for_request().await.unwrap().host, absent);
        // No engine found at all (a broken context): the practice swarm, else the reason.
        let e = follow(Err("no such context".into()), Some(node1.clone()));
        assert_eq!(e.for_request().await.unwrap().host, node1.host);
        let e = follow(Err("no such context".into()), None);
        assert_eq!(e.for_request().await.unwrap_err(), "no such context");
        // Pinned: never anything else.
        let e = Engine::Pinned(ep(&absent));
        assert_eq!(e.for_request().await.unwrap().host, absent);
        assert!(!e.follows());
    }
}
