//! Drills: what a lab's `[[drill]]` tables declare. A drill injects one fault into the
//! learner's swarm (a killed task, a forced rolling update, a node or a manager gone, a
//! drained node), measures from outside what a user would see, and compares it with what the
//! lesson promises. The types here are the validated form that `lab drill` runs and the
//! book's cards show; the raw serde layer sits beside them, and the rules serde cannot
//! express are in `validate.rs`.

use crate::duration::LabDuration;
use crate::image::ImageMatch;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The faults a drill can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// Remove one running container of the service (`docker container rm -f`, on its node).
    KillTask,
    /// Force a rolling update of the service: same spec, new tasks.
    RollingUpdate,
    /// Stop the engine of a node that runs a task of the service, then start it again (a
    /// swarm that is not the practice swarm: drain the node, then set it active).
    NodeDown,
    /// Stop one manager's engine: with three managers the swarm keeps its quorum.
    ManagerLoss,
    /// Drain the node that runs a task of the service, then set it active again.
    NodeDrained,
}

/// Every fault, in the order the documentation lists them.
pub const FAULTS: [Fault; 5] =
    [Fault::KillTask, Fault::RollingUpdate, Fault::NodeDown, Fault::ManagerLoss, Fault::NodeDrained];

impl Fault {
    /// The name a lab file uses (`kill-task`).
    pub fn name(self) -> &'static str {
        match self {
            Fault::KillTask => "kill-task",
            Fault::RollingUpdate => "rolling-update",
            Fault::NodeDown => "node-down",
            Fault::ManagerLoss => "manager-loss",
            Fault::NodeDrained => "node-drained",
        }
    }

    /// Whether the fault acts on a service's tasks (`node-down` may also take a node alone,
    /// and `manager-loss` never takes a service).
    pub fn needs_service(self) -> bool {
        matches!(self, Fault::KillTask | Fault::RollingUpdate | Fault::NodeDrained)
    }

    /// The fewest nodes a swarm needs for the fault to mean anything: another node to take
    /// the tasks over, or three managers to keep a quorum.
    pub fn min_nodes(self) -> usize {
        match self {
            Fault::KillTask | Fault::RollingUpdate => 1,
            Fault::NodeDown | Fault::NodeDrained => 2,
            Fault::ManagerLoss => 3,
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a drill expects the swarm to show; only what is stated is compared.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DrillExpect {
    /// The service is back to its desired running replicas within this time of the fault.
    pub recovery: Option<LabDuration>,
    /// The least share of probes answered while the drill runs, from 0 to 1.
    pub availability: Option<f64>,
    /// `manager-loss`: the managers that are left still answer swarm requests.
    pub quorum: Option<bool>,
}

/// What is probed while the drill runs: a port the service's containers listen on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DrillProbe {
    /// The service to probe (default: the drill's service).
    pub service: Option<String>,
    /// The port inside the service's containers (the target port, as `-p 80:80` has 80).
    pub port: u16,
}

/// A number read from a page before and after the fault (`N votes` on the results page),
/// to see whether data survived.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DrillData {
    /// The service whose page holds the number.
    pub service: String,
    /// The port inside its containers.
    pub port: u16,
    /// The word after the number (`votes` for "12 votes").
    pub counts: String,
}

/// One validated drill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drill {
    pub id: String,
    pub title: String,
    pub fault: Fault,
    /// The service the fault acts on, by name.
    pub service: Option<String>,
    /// The service the fault acts on, by image (when the engine picked its name).
    pub image: Option<ImageMatch>,
    pub probe: Option<DrillProbe>,
    pub data: Option<DrillData>,
    pub expect: DrillExpect,
    /// Markdown shown when the drill fails (and on the card).
    pub hint: String,
    /// The drill teaches but is not graded: it never fails the run.
    pub informational: bool,
}

/// A `[[drill]]` table as serde reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDrill {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub fault: Spanned<Fault>,
    pub service: Option<Spanned<String>>,
    pub image: Option<Spanned<ImageMatch>>,
    pub probe: Option<Spanned<DrillProbe>>,
    pub data: Option<Spanned<DrillData>>,
    pub expect: Option<Spanned<DrillExpect>>,
    pub hint: Spanned<String>,
    #[serde(default)]
    pub informational: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_names_round_trip_through_serde() {
        for f in FAULTS {
            let v: Fault = serde_json::from_value(serde_json::json!(f.name())).unwrap();
            assert_eq!(v, f);
        }
    }
}
