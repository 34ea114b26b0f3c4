//! Learner states set up one after another on one swarm, rebuilding only what changes.
//!
//! A state is the script a learner ran on an empty swarm. Most states of a corpus differ
//! from the one before in a line or two (one mistake in the voting app), so tearing down
//! and recreating the whole app for each spends nearly all of its time (and CPU) starting
//! the same containers again. [`TestSwarm::set_state`] keeps what the previous state's
//! script made that the next one makes with the very same line and nobody changed since
//! (same spec, never updated), and recreates everything else: the swarm then shows
//! exactly what the script would have made on an empty swarm.

use super::{fast, TestSwarm};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// What one line of a state's script made, as it was right after the line ran.
#[derive(Debug, Clone, PartialEq)]
pub enum Made {
    /// `docker service create … --name NAME …`: its spec as JSON, and the networks its
    /// line names (it can only be kept where they are).
    Service { line: String, name: String, spec: String, networks: Vec<String> },
    /// `docker network create … NAME`: its full id.
    Network { line: String, name: String, id: String },
}

impl Made {
    fn line(&self) -> &str {
        match self {
            Made::Service { line, .. } | Made::Network { line, .. } => line,
        }
    }
}

/// A script line this module can keep: a service created with `--name`, or a network.
#[derive(Debug, PartialEq)]
pub enum Keepable {
    Service { name: String, networks: Vec<String> },
    Network { name: String },
}

/// What `line` (already through [`fast`]) creates, if it is a line whose object can be kept.
pub fn keepable(line: &str) -> Option<Keepable> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let value = |flag: &str| -> Vec<String> {
        let mut found = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if *w == flag {
                found.extend(words.get(i + 1).map(|v| v.to_string()));
            } else if let Some(v) = w.strip_prefix(&format!("{flag}=")) {
                found.push(v.to_string());
            }
        }
        found
    };
    match words.get(..3)? {
        ["docker", "service", "create"] => {
            let name = value("--name").into_iter().next()?;
            Some(Keepable::Service { name, networks: [value("--network"), value("--net")].concat() })
        }
        ["docker", "network", "create"] => {
            // The name is the last word; every flag of these scripts takes its value as the
            // next word or after `=`, so the last word is never a flag's value.
            let name = words.last()?.to_string();
            (words.len() > 3 && !name.starts_with('-')).then_some(Keepable::Network { name })
        }
        _ => None,
    }
}

/// The script's lines as they run (trimmed, comments and blank lines dropped, through [`fast`]).
pub fn lines(script: &str) -> Vec<String> {
    script.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(fast).collect()
}

impl TestSwarm {
    /// Brings the swarm to what `script` makes on an empty swarm (every kind of object:
    /// services, networks, volumes, secrets, configs, containers), as [`TestSwarm::reset`]
    /// then [`TestSwarm::apply`] would, without waiting out stop grace periods (containers
    /// of removed services are killed), and keeping what the previous `set_state` made with
    /// the same line if it is unchanged: a service whose spec is the one it was created with
    /// and that was never updated (no previous spec), on networks that are kept too; a
    /// network with the same id. A script with any other kind of line (a service without
    /// `--name`, a volume, a node command) starts from an empty swarm.
    pub fn set_state(&self, script: &str) {
        let lines = lines(script);
        let reusable = lines.iter().all(|l| keepable(l).is_some());
        let previous = std::mem::take(&mut *self.made.lock().unwrap());
        let kept: Vec<Made> = if reusable { self.still_as_made(previous, &lines) } else { Vec::new() };
        self.remove_all_but(&kept);
        let mut made = kept.clone();
        for line in &lines {
            if kept.iter().any(|k| k.line() == line) {
                continue;
            }
            let out = self.sh(line);
            match keepable(line) {
                Some(Keepable::Service { name, networks }) => {
                    let spec = self.sh(&format!("docker service inspect --format '{{{{json .Spec}}}}' {name}"));
                    made.push(Made::Service { line: line.clone(), name, spec: spec.trim().to_string(), networks });
                }
                Some(Keepable::Network { name }) => {
                    made.push(Made::Network { line: line.clone(), name, id: out.trim().to_string() })
                }
                None => {}
            }
        }
        if reusable {
            *self.made.lock().unwrap() = made;
        }
    }

    /// Of what the previous state made, what `lines` make again and is still as it was made.
    fn still_as_made(&self, previous: Vec<Made>, lines: &[String]) -> Vec<Made> {
        let networks = self.sh("docker network ls --no-trunc --format '{{.Name}} {{.ID}}'");
        let ids: BTreeSet<(&str, &str)> = networks.lines().filter_map(|l| l.split_once(' ')).collect();
        let mut kept: Vec<Made> = previous
            .iter()
            .filter(|m| lines.contains(&m.line().to_string()))
            .filter(|m| matches!(m, Made::Network { name, id, .. } if ids.contains(&(name.as_str(), id.as_str()))))
            .cloned()
            .collect();
        let kept_networks: BTreeSet<String> = kept
            .iter()
            .filter_map(|m| match m {
                Made::Network { name, .. } => Some(name.clone()),
                Made::Service { .. } => None,
            })
            .collect();
        for m in previous.into_iter().filter(|m| lines.contains(&m.line().to_string())) {
            let Made::Service { name, spec, networks, .. } = &m else { continue };
            if !networks.iter().all(|n| kept_networks.contains(n)) {
                continue;
            }
            let now = self.sh(&format!(
                "docker service inspect --format '{{{{json .Spec}}}} {{{{if .PreviousSpec}}}}updated{{{{end}}}}' {name} 2>/dev/null || true"
            ));
            if now.trim() == spec.as_str() {
                kept.push(m);
            }
        }
        kept
    }

    /// Removes every service, container, network, volume, secret and config that is not in
    /// `kept` (or a service's own volume). Containers of removed services are killed.
    fn remove_all_but(&self, kept: &[Made]) {
        let keep_service = |name: &str| kept.iter().any(|m| matches!(m, Made::Service { name: n, .. } if n == name));
        let keep_network = |name: &str| kept.iter().any(|m| matches!(m, Made::Network { name: n, .. } if n == name));
        let services = self.sh("docker service ls --format '{{.Name}}'");
        let gone: Vec<&str> = services.split_whitespace().filter(|s| !keep_service(s)).collect();
        if !gone.is_empty() {
            self.sh(&format!("docker service rm {} >/dev/null", gone.join(" ")));
        }
        // Every container that is not a kept service's task, killed; then waited for, since
        // a removed service's task can still be starting when the service goes.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let listing = self.sh("docker ps -a --format '{{.ID}} {{.Label \"com.docker.swarm.service.name\"}}'");
            let stray: Vec<&str> = listing
                .lines()
                .filter_map(|l| {
                    let (id, service) = l.split_once(' ').unwrap_or((l, ""));
                    (service.is_empty() || !keep_service(service)).then_some(id)
                })
                .collect();
            if stray.is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "containers {stray:?} did not go away");
            self.sh(&format!("docker container rm -f {} >/dev/null 2>&1 || true", stray.join(" ")));
        }
        loop {
            let listing = self.sh("docker network ls --filter type=custom --format '{{.Name}}'");
            let nets: Vec<&str> = listing
                .split_whitespace()
                .filter(|n| !matches!(*n, "ingress" | "docker_gwbridge") && !keep_network(n))
                .collect();
            if nets.is_empty() {
                break;
            }
            // A network is freed once the managers have removed the tasks on it.
            let _ = self.sh(&format!("docker network rm {} >/dev/null 2>&1 || true", nets.join(" ")));
            assert!(Instant::now() < deadline, "networks {nets:?} could not be removed");
            std::thread::sleep(Duration::from_millis(200));
        }
        self.sh("v=$(docker volume ls -q --filter dangling=true); [ -z \"$v\" ] || docker volume rm $v >/dev/null");
        self.sh("s=$(docker secret ls -q); [ -z \"$s\" ] || docker secret rm $s >/dev/null; c=$(docker config ls -q); [ -z \"$c\" ] || docker config rm $c >/dev/null");
    }
}
