//! Swarm-wide and per-node assertions: membership, readiness, roles, reachability, leader.

use super::{movement::node_movement, service::serde_plain, Ctx, Findings};
use bollard::models::{Node, NodeState};
use lab_schema::{NodeAssertion, SwarmAssertion};

fn is_ready(n: &Node) -> bool {
    n.status.as_ref().and_then(|s| s.state) == Some(NodeState::READY)
}
fn role(n: &Node) -> String {
    n.spec.as_ref().and_then(|s| s.role).map(|r| r.to_string()).unwrap_or_default()
}
fn is_leader(n: &Node) -> bool {
    n.manager_status.as_ref().and_then(|m| m.leader) == Some(true)
}
fn hostname(n: &Node) -> String {
    n.description.as_ref().and_then(|d| d.hostname.clone()).unwrap_or_else(|| n.id.clone().unwrap_or_default())
}
fn is_down(n: &Node) -> bool {
    n.status.as_ref().and_then(|s| s.state) == Some(NodeState::DOWN)
}

/// Down entries whose hostname another entry shares: what a node leaves behind when it
/// leaves the swarm and joins again (`docker node promote node2` then says "ambiguous").
fn stale(nodes: &[Node]) -> Vec<&Node> {
    nodes.iter().filter(|n| is_down(n) && nodes.iter().filter(|m| hostname(m) == hostname(n)).count() > 1).collect()
}

/// On a check that did not pass, names the stale entries and how to remove them.
fn flag_stale(nodes: &[Node], f: &mut Findings) {
    let stale = stale(nodes);
    if f.mismatches.is_empty() || stale.is_empty() {
        return;
    }
    let list: Vec<String> = stale
        .iter()
        .map(|n| format!("{} ({}, {}, down)", n.id.as_deref().unwrap_or("?"), hostname(n), role(n)))
        .collect();
    f.miss(
        "stale nodes",
        "one entry per hostname",
        format!("{}: left behind when the node left the swarm and joined again", list.join(", ")),
    );
    let demote = if stale.iter().any(|n| role(n) == "manager") {
        " (a stale manager entry needs `docker node demote ID` first)"
    } else {
        ""
    };
    f.notes.push(format!(
        "A node that leaves and joins again is listed twice: remove each stale Down entry by its ID with `docker node rm ID` on a manager{demote}."
    ));
}

pub(crate) fn swarm(ctx: &Ctx, a: &SwarmAssertion) -> Findings {
    let s = ctx.snap.info.swarm.clone().unwrap_or_default();
    let nodes = &ctx.snap.nodes;
    let mut f = Findings { moving: nodes.iter().filter_map(node_movement).collect(), ..Default::default() };
    if let Some(want) = a.active {
        let state = s.local_node_state.map(|x| x.to_string()).unwrap_or_else(|| "inactive".into());
        if (state == "active") != want {
            f.miss("swarm", if want { "active" } else { "inactive" }, state);
        }
    }
    if let Some(want) = a.manager {
        let found = s.control_available == Some(true);
        if found != want {
            f.miss(
                "this node",
                if want { "a manager" } else { "a worker" },
                if found { "a manager" } else { "a worker" },
            );
        }
    }
    let list = |ns: Vec<&Node>| ns.iter().map(|n| hostname(n)).collect::<Vec<_>>().join(", ");
    if let Some(want) = a.nodes {
        let n = nodes.len() as u64;
        if !want.matches(n) {
            f.settling("nodes", want.to_string(), format!("{n} ({})", list(nodes.iter().collect())));
        }
    }
    if let Some(want) = a.ready_nodes {
        let ready: Vec<&Node> = nodes.iter().filter(|n| is_ready(n)).collect();
        if !want.matches(ready.len() as u64) {
            let not_ready: Vec<String> = nodes
                .iter()
                .filter(|n| !is_ready(n))
                .map(|n| {
                    format!(
                        "{} is {}",
                        hostname(n),
                        n.status.as_ref().and_then(|s| s.state).map(|s| s.to_string()).unwrap_or_default()
                    )
                })
                .collect();
            let found = if not_ready.is_empty() {
                format!("{} ready", ready.len())
            } else {
                format!("{} ready; {}", ready.len(), not_ready.join(", "))
            };
            f.settling("ready nodes", want.to_string(), found);
        }
    }
    if let Some(want) = a.managers {
        let managers: Vec<&Node> = nodes.iter().filter(|n| role(n) == "manager").collect();
        if !want.matches(managers.len() as u64) {
            f.miss("managers", want.to_string(), format!("{} ({})", managers.len(), list(managers.clone())));
        }
    }
    if let Some(want) = a.leader {
        let leader = nodes.iter().find(|n| is_leader(n));
        if leader.is_some() != want {
            f.settling(
                "leader",
                if want { "a leader" } else { "no leader" },
                leader.map(hostname).unwrap_or_else(|| "no leader".into()),
            );
        }
    }
    flag_stale(nodes, &mut f);
    f
}

pub(crate) fn nodes(ctx: &Ctx, a: &NodeAssertion) -> Findings {
    let nodes = &ctx.snap.nodes;
    let mut f = Findings { moving: nodes.iter().filter_map(node_movement).collect(), ..Default::default() };
    let mut wanted: Vec<String> = Vec::new();
    if let Some(r) = a.role {
        wanted.push(format!("role {}", serde_plain(&r)))
    }
    if let Some(s) = a.status {
        wanted.push(format!("status {}", serde_plain(&s)))
    }
    if let Some(x) = a.availability {
        wanted.push(format!("availability {}", serde_plain(&x)))
    }
    if let Some(x) = a.reachability {
        wanted.push(format!("reachability {}", serde_plain(&x)))
    }
    if let Some(l) = a.leader {
        wanted.push(if l { "leader".into() } else { "not leader".into() })
    }
    if let Some(h) = &a.hostname {
        wanted.push(format!("hostname {h}"))
    }

    // For every node, the first property it lacks (None: it has them all). A hostname two
    // entries share is told apart by ID.
    let lacks = |n: &Node| -> Option<String> {
        let mut h = hostname(n);
        if nodes.iter().filter(|m| hostname(m) == h).count() > 1 {
            h = format!("{h} ({})", n.id.as_deref().unwrap_or("?").chars().take(12).collect::<String>());
        }
        if let Some(p) = &a.hostname {
            if !lab_schema::glob::matches(p, &hostname(n)) {
                return Some(format!("{h}: hostname does not match {p}"));
            }
        }
        if let Some(r) = a.role {
            let found = role(n);
            if serde_plain(&r) != found {
                return Some(format!("{h}: role {found}"));
            }
        }
        if let Some(s) = a.status {
            let found = n.status.as_ref().and_then(|s| s.state).map(|s| s.to_string()).unwrap_or_default();
            if serde_plain(&s) != found {
                return Some(format!("{h}: status {found}"));
            }
        }
        if let Some(x) = a.availability {
            let found = n.spec.as_ref().and_then(|s| s.availability).map(|s| s.to_string()).unwrap_or_default();
            if serde_plain(&x) != found {
                return Some(format!("{h}: availability {found}"));
            }
        }
        if let Some(x) = a.reachability {
            if role(n) == "manager" && n.manager_status.is_none() {
                return Some(format!("{h}: being promoted, reachability not reported yet"));
            }
            let found = n
                .manager_status
                .as_ref()
                .and_then(|m| m.reachability)
                .map(|s| s.to_string())
                .unwrap_or_else(|| "none (a worker)".into());
            if serde_plain(&x) != found {
                return Some(format!("{h}: reachability {found}"));
            }
        }
        if let Some(l) = a.leader {
            if is_leader(n) != l {
                return Some(format!("{h}: {}", if l { "not the leader" } else { "the leader" }));
            }
        }
        None
    };
    let matching = nodes.iter().filter(|n| lacks(n).is_none()).count() as u64;
    let want = a.count.unwrap_or(lab_schema::Count::at_least(1));
    if !want.matches(matching) {
        let others: Vec<String> = nodes.iter().filter_map(lacks).collect();
        let found =
            if others.is_empty() { format!("{matching}") } else { format!("{matching} ({})", others.join("; ")) };
        f.settling(
            "nodes",
            format!("{want} with {}", if wanted.is_empty() { "any properties".into() } else { wanted.join(", ") }),
            found,
        );
        // A wrong role or availability is the learner's to fix; an unknown state may settle.
        if f.moving.is_empty() {
            f.settles.iter_mut().for_each(|s| *s = false);
        }
    }
    flag_stale(nodes, &mut f);
    f
}
