//! The typed assertions a check can make about a swarm. Every field is optional and only
//! what a lab states is compared (partial match); `exact` turns a list field into "these
//! and nothing else".

use crate::count::Count;
use crate::image::ImageMatch;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Facts about the swarm as a whole, read from the manager the runner talks to.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SwarmAssertion {
    /// Swarm mode is active on the engine.
    pub active: Option<bool>,
    /// The engine the runner talks to is a manager.
    pub manager: Option<bool>,
    /// How many nodes the swarm has (any state).
    pub nodes: Option<Count>,
    /// How many of them are Ready.
    pub ready_nodes: Option<Count>,
    /// How many managers it has.
    pub managers: Option<Count>,
    /// A manager is the Raft leader.
    pub leader: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeRole {
    Manager,
    Worker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Active,
    Pause,
    Drain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    Ready,
    Down,
    Unknown,
    Disconnected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reachability {
    Reachable,
    Unreachable,
    Unknown,
}

/// Nodes that have every stated property; `count` says how many must (default: one or more).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NodeAssertion {
    /// Glob on the node's hostname (`node*`, `worker-?`).
    pub hostname: Option<String>,
    pub role: Option<NodeRole>,
    pub availability: Option<Availability>,
    pub status: Option<NodeState>,
    /// Manager reachability (managers only).
    pub reachability: Option<Reachability>,
    /// The node is the Raft leader.
    pub leader: Option<bool>,
    /// How many nodes must have all the properties above.
    pub count: Option<Count>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceMode {
    Replicated,
    Global,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EndpointMode {
    Vip,
    Dnsrr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PublishMode {
    Ingress,
    Host,
}

/// A published port; unstated fields accept anything.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PortExpectation {
    /// The port inside the container.
    pub target: Option<u16>,
    /// The port on the nodes: a number or a range (`{ min = 1024 }` for "a high port").
    pub published: Option<Count>,
    pub protocol: Option<Protocol>,
    pub mode: Option<PublishMode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    Volume,
    Bind,
    Tmpfs,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MountExpectation {
    #[serde(rename = "type")]
    pub kind: Option<MountType>,
    /// Volume name or host path (a stack's `<stack>_` prefix is accepted for volumes).
    pub source: Option<String>,
    /// Path inside the container; required, it is what identifies a mount.
    pub target: String,
    pub readonly: Option<bool>,
}

/// What a lab says about one environment variable: present (`true`), absent (`false`) or a
/// value. The runner never prints the value it finds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum EnvExpectation {
    Present(bool),
    Value(String),
}

impl<'de> Deserialize<'de> for EnvExpectation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EnvExpectation;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`true` (set), `false` (not set) or the value as a string")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<EnvExpectation, E> {
                Ok(EnvExpectation::Present(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EnvExpectation, E> {
                Ok(EnvExpectation::Value(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Which list fields of a service must match exactly (no extra entries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExactField {
    Ports,
    Networks,
    Mounts,
    Constraints,
    Env,
}

/// A service, selected by exact name or (when the engine picked the name) by image.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAssertion {
    /// The service name; a stack's `<stack>_name` is accepted too.
    pub name: Option<String>,
    /// Accepted images; selects the service when `name` is not given.
    pub image: Option<ImageMatch>,
    pub mode: Option<ServiceMode>,
    /// Desired replicas (replicated mode).
    pub replicas: Option<Count>,
    /// Tasks in the running state.
    pub running: Option<Count>,
    /// Glob on the whole command line (entrypoint override + args), e.g. `"ping *"`.
    pub command: Option<String>,
    /// Glob on the arguments alone.
    pub args: Option<String>,
    pub env: Option<BTreeMap<String, EnvExpectation>>,
    /// At least one of these variables is set (alternatives, e.g. `POSTGRES_PASSWORD` or
    /// `POSTGRES_PASSWORD_FILE`).
    pub env_any: Option<Vec<String>>,
    pub ports: Option<Vec<PortExpectation>>,
    /// Network names (the runner maps the engine's IDs back to names).
    pub networks: Option<Vec<String>>,
    pub mounts: Option<Vec<MountExpectation>>,
    pub endpoint_mode: Option<EndpointMode>,
    /// Placement constraints, e.g. `node.role == manager` (spacing does not matter).
    pub constraints: Option<Vec<String>>,
    /// List fields that must hold exactly what is stated.
    #[serde(default)]
    pub exact: Vec<ExactField>,
}

/// The task history of one service.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TasksAssertion {
    /// The service, by name…
    pub service: Option<String>,
    /// …or by image, when the engine picked the name.
    pub image: Option<ImageMatch>,
    /// Tasks whose container died (failed) and that swarm replaced with a new task.
    pub replaced: Option<Count>,
    /// Tasks in the running state.
    pub running: Option<Count>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkAssertion {
    /// The network name; a stack's `<stack>_name` is accepted too.
    pub name: String,
    pub driver: Option<String>,
    /// `swarm` for overlay networks, `local` for bridges.
    pub scope: Option<String>,
    /// Created with `--opt encrypted`.
    pub encrypted: Option<bool>,
    pub attachable: Option<bool>,
    pub internal: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VolumeAssertion {
    /// The volume name; a stack's `<stack>_name` is accepted too.
    pub name: String,
    pub driver: Option<String>,
    /// The service whose tasks mount it: the volume must exist where those tasks run
    /// (volumes are node-local).
    pub service: Option<String>,
}

/// A secret or a config: it exists, and optionally a service has it at a target.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectAssertion {
    pub name: String,
    pub service: Option<String>,
    /// File name or path inside the container (`/run/secrets/<target>` for secrets).
    pub target: Option<String>,
}

/// The one assertion a check makes.
// Unboxed on purpose: the grader matches on these variants, and a lab holds a few dozen.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Assertion {
    Swarm(SwarmAssertion),
    Node(NodeAssertion),
    Service(ServiceAssertion),
    Tasks(TasksAssertion),
    Network(NetworkAssertion),
    Volume(VolumeAssertion),
    Secret(ObjectAssertion),
    Config(ObjectAssertion),
}

impl Assertion {
    pub fn kind(&self) -> &'static str {
        match self {
            Assertion::Swarm(_) => "swarm",
            Assertion::Node(_) => "node",
            Assertion::Service(_) => "service",
            Assertion::Tasks(_) => "tasks",
            Assertion::Network(_) => "network",
            Assertion::Volume(_) => "volume",
            Assertion::Secret(_) => "secret",
            Assertion::Config(_) => "config",
        }
    }
}

/// The names every assertion key may take, for "expected one of" diagnostics.
pub const ASSERTION_KINDS: &[&str] = &["swarm", "node", "service", "tasks", "network", "volume", "secret", "config"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_expectations_are_a_flag_or_a_value() {
        let env: BTreeMap<String, EnvExpectation> =
            serde_json::from_str(r#"{"A": true, "B": false, "C": "x", "D": ""}"#).unwrap();
        assert_eq!(env["A"], EnvExpectation::Present(true));
        assert_eq!(env["B"], EnvExpectation::Present(false));
        assert_eq!(env["C"], EnvExpectation::Value("x".into()));
        assert_eq!(env["D"], EnvExpectation::Value(String::new()));
        let e = serde_json::from_str::<EnvExpectation>("3").unwrap_err().to_string();
        assert!(e.contains("`true` (set), `false` (not set) or the value as a string"), "{e}");
    }

    #[test]
    fn every_kind_is_named_and_listed() {
        let all = [
            Assertion::Swarm(Default::default()),
            Assertion::Node(Default::default()),
            Assertion::Service(Default::default()),
            Assertion::Tasks(Default::default()),
            Assertion::Network(Default::default()),
            Assertion::Volume(Default::default()),
            Assertion::Secret(Default::default()),
            Assertion::Config(Default::default()),
        ];
        let kinds: Vec<&str> = all.iter().map(Assertion::kind).collect();
        assert_eq!(kinds, ASSERTION_KINDS);
    }
}
