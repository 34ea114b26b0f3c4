//! Who submitted whose swarm. Every cluster that could be read leaves an [`Identity`]:
//! its swarm ID (managers only) and node IDs (a worker leaves its own node ID). Two
//! learners whose identities share the swarm ID or any node ID submitted the same swarm;
//! two rows naming the same endpoint are flagged even when it could not be read.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What identifies the swarm behind one learner's endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Empty when unknown (not a swarm, a worker, unreachable).
    pub swarm_id: String,
    /// Sorted; a worker's own node ID alone.
    pub node_ids: Vec<String>,
}

/// The kind of an integrity flag, as it appears in the gradebook's `flags` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    /// The same swarm (swarm ID or a node ID) behind several learners.
    SharedSwarm,
    /// The same endpoint written on several rows.
    SameEndpoint,
}

impl FlagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::SharedSwarm => "shared-swarm",
            FlagKind::SameEndpoint => "same-endpoint",
        }
    }
}

/// A group of learners (in roster order) that share a swarm or an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub learners: Vec<String>,
    /// The swarm ID (shared-swarm, when known) or the endpoint (same-endpoint).
    pub detail: String,
}

impl Flag {
    /// `shared-swarm:ana;fay`
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.learners.join(";"))
    }
}

/// One learner as the integrity check sees it.
pub struct Submission<'a> {
    pub learner: &'a str,
    pub endpoint: &'a str,
    pub identity: Option<&'a Identity>,
}

/// Groups of two or more learners that share a swarm, then those that share an endpoint,
/// each group in roster order.
pub fn find_flags(subs: &[Submission<'_>]) -> Vec<Flag> {
    let n = subs.len();
    // Union-find over learners linked by a shared swarm ID or node ID.
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    // Each swarm ID and node ID links to the first learner it was seen with: one pass
    // over the identities (a live class re-runs this whenever a learner's identity moves).
    let mut first_with: HashMap<(bool, &str), usize> = HashMap::new();
    for (i, s) in subs.iter().enumerate() {
        let Some(id) = s.identity else { continue };
        let swarm = (!id.swarm_id.is_empty()).then_some((true, id.swarm_id.as_str()));
        let nodes = id.node_ids.iter().filter(|n| !n.is_empty()).map(|n| (false, n.as_str()));
        for key in swarm.into_iter().chain(nodes) {
            let j = *first_with.entry(key).or_insert(i);
            let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
            parent[ri.max(rj)] = ri.min(rj);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut flags: Vec<Flag> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|g| {
            let swarm =
                g.iter().filter_map(|i| subs[*i].identity).map(|id| id.swarm_id.as_str()).find(|s| !s.is_empty());
            Flag {
                kind: FlagKind::SharedSwarm,
                learners: g.iter().map(|i| subs[*i].learner.to_string()).collect(),
                detail: swarm.unwrap_or("").to_string(),
            }
        })
        .collect();

    let mut by_endpoint: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in subs.iter().enumerate() {
        by_endpoint.entry(s.endpoint).or_default().push(i);
    }
    let mut same: Vec<Vec<usize>> = by_endpoint.into_values().filter(|g| g.len() > 1).collect();
    same.sort();
    flags.extend(same.into_iter().map(|g| Flag {
        kind: FlagKind::SameEndpoint,
        learners: g.iter().map(|i| subs[*i].learner.to_string()).collect(),
        detail: subs[g[0]].endpoint.to_string(),
    }));
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(swarm: &str, nodes: &[&str]) -> Identity {
        Identity { swarm_id: swarm.into(), node_ids: nodes.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn same_swarm_id_or_one_common_node_links_learners_transitively() {
        let (a, b, c, d) = (id("S1", &["n1", "n2"]), id("S1", &["n1", "n2"]), id("", &["n2"]), id("S2", &["n9"]));
        let subs = [
            Submission { learner: "ana", endpoint: "unix:///a", identity: Some(&a) },
            Submission { learner: "dan", endpoint: "unix:///d", identity: Some(&d) },
            Submission { learner: "eve", endpoint: "unix:///e", identity: Some(&c) },
            Submission { learner: "fay", endpoint: "unix:///f", identity: Some(&b) },
            Submission { learner: "gus", endpoint: "unix:///f", identity: None },
        ];
        let flags = find_flags(&subs);
        assert_eq!(flags.len(), 2, "{flags:?}");
        assert_eq!(flags[0].label(), "shared-swarm:ana;eve;fay");
        assert_eq!(flags[0].detail, "S1");
        assert_eq!(flags[1].label(), "same-endpoint:fay;gus");
    }

    #[test]
    fn unknown_identities_never_match_each_other() {
        let empty = Identity::default();
        let subs = [
            Submission { learner: "a", endpoint: "unix:///a", identity: Some(&empty) },
            Submission { learner: "b", endpoint: "unix:///b", identity: Some(&empty) },
        ];
        assert!(find_flags(&subs).is_empty());
    }
}
