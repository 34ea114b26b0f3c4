//! Swarm-wide and per-node assertions: membership, readiness, roles, reachability, leader.

use super::{count_text, movement::node_movement, service::serde_plain, Ctx, Findings};
use bollard::models::{Node, NodeState};
use lab_i18n::words;
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
fn flag_stale(ctx: &Ctx, nodes: &[Node], f: &mut Findings) {
    let stale = stale(nodes);
    if f.mismatches.is_empty() || stale.is_empty() {
        return;
    }
    let list: Vec<String> = stale
        .iter()
        .map(|n| format!("{} ({}, {}, down)", n.id.as_deref().unwrap_or("?"), hostname(n), role(n)))
        .collect();
    f.miss(
        ctx.tr(words::FIELD_STALE_NODES),
        ctx.tr(words::ONE_ENTRY_PER_HOSTNAME),
        ctx.fill(words::STALE_NODES_LEFT_BEHIND, &[("nodes", &ctx.lang.list(words::LIST, &list))]),
    );
    f.notes.push(ctx.tr(if stale.iter().any(|n| role(n) == "manager") {
        words::STALE_NODES_NOTE_MANAGER
    } else {
        words::STALE_NODES_NOTE
    }));
}

pub(crate) fn swarm(ctx: &Ctx, a: &SwarmAssertion) -> Findings {
    let s = ctx.snap.info.swarm.clone().unwrap_or_default();
    let nodes = &ctx.snap.nodes;
    let mut f =
        Findings { moving: nodes.iter().filter_map(|n| node_movement(n, ctx.lang)).collect(), ..Default::default() };
    if let Some(want) = a.active {
        let state = s.local_node_state.map(|x| x.to_string()).unwrap_or_else(|| "inactive".into());
        if (state == "active") != want {
            f.miss(ctx.tr(words::FIELD_SWARM), if want { "active" } else { "inactive" }, state);
        }
    }
    if let Some(want) = a.manager {
        let found = s.control_available == Some(true);
        if found != want {
            let role = |manager: bool| ctx.tr(if manager { words::A_MANAGER } else { words::A_WORKER });
            f.miss(ctx.tr(words::FIELD_THIS_NODE), role(want), role(found));
        }
    }
    let list = |ns: Vec<&Node>| ctx.lang.list(words::LIST, &ns.iter().map(|n| hostname(n)).collect::<Vec<_>>());
    let with_details =
        |n: usize, details: String| ctx.fill(words::COUNT_WITH_DETAILS, &[("n", &n), ("details", &details)]);
    if let Some(want) = a.nodes {
        let n = nodes.len() as u64;
        if !want.matches(n) {
            let found = with_details(nodes.len(), list(nodes.iter().collect()));
            f.settling(ctx.tr(words::FIELD_NODES), count_text(ctx.lang, &want), found);
        }
    }
    if let Some(want) = a.ready_nodes {
        let ready: Vec<&Node> = nodes.iter().filter(|n| is_ready(n)).collect();
        if !want.matches(ready.len() as u64) {
            let not_ready: Vec<String> = nodes
                .iter()
                .filter(|n| !is_ready(n))
                .map(|n| {
                    let state = n.status.as_ref().and_then(|s| s.state).map(|s| s.to_string()).unwrap_or_default();
                    ctx.fill(words::NODE_IS, &[("node", &hostname(n)), ("state", &state)])
                })
                .collect();
            let found = if not_ready.is_empty() {
                ctx.fill(words::READY_COUNT, &[("n", &ready.len())])
            } else {
                let others = ctx.lang.list(words::LIST, &not_ready);
                ctx.fill(words::READY_COUNT_AND_OTHERS, &[("n", &ready.len()), ("others", &others)])
            };
            f.settling(ctx.tr(words::FIELD_READY_NODES), count_text(ctx.lang, &want), found);
        }
    }
    if let Some(want) = a.managers {
        let managers: Vec<&Node> = nodes.iter().filter(|n| role(n) == "manager").collect();
        if !want.matches(managers.len() as u64) {
            let found = with_details(managers.len(), list(managers.clone()));
            f.miss(ctx.tr(words::FIELD_MANAGERS), count_text(ctx.lang, &want), found);
        }
    }
    if let Some(want) = a.leader {
        let leader = nodes.iter().find(|n| is_leader(n));
        if leader.is_some() != want {
            f.settling(
                ctx.tr(words::FIELD_LEADER),
                ctx.tr(if want { words::A_LEADER } else { words::NO_LEADER }),
                leader.map(hostname).unwrap_or_else(|| ctx.tr(words::NO_LEADER)),
            );
        }
    }
    flag_stale(ctx, nodes, &mut f);
    f
}

pub(crate) fn nodes(ctx: &Ctx, a: &NodeAssertion) -> Findings {
    let nodes = &ctx.snap.nodes;
    let mut f =
        Findings { moving: nodes.iter().filter_map(|n| node_movement(n, ctx.lang)).collect(), ..Default::default() };
    let mut wanted: Vec<String> = Vec::new();
    let property = |template: &str, value: &dyn std::fmt::Display| ctx.fill(template, &[("value", value)]);
    if let Some(r) = a.role {
        wanted.push(property(words::NODE_ROLE, &serde_plain(&r)))
    }
    if let Some(s) = a.status {
        wanted.push(property(words::NODE_STATUS, &serde_plain(&s)))
    }
    if let Some(x) = a.availability {
        wanted.push(property(words::NODE_AVAILABILITY, &serde_plain(&x)))
    }
    if let Some(x) = a.reachability {
        wanted.push(property(words::NODE_REACHABILITY, &serde_plain(&x)))
    }
    if let Some(l) = a.leader {
        wanted.push(ctx.tr(if l { words::NODE_LEADER } else { words::NODE_NOT_LEADER }))
    }
    if let Some(h) = &a.hostname {
        wanted.push(property(words::NODE_HOSTNAME, h))
    }

    // For every node, the first property it lacks (None: it has them all). A hostname two
    // entries share is told apart by ID.
    let lacks = |n: &Node| -> Option<String> {
        let mut h = hostname(n);
        if nodes.iter().filter(|m| hostname(m) == h).count() > 1 {
            h = format!("{h} ({})", n.id.as_deref().unwrap_or("?").chars().take(12).collect::<String>());
        }
        let node = |what: String| ctx.fill(words::NODE_LACKS, &[("node", &h), ("what", &what)]);
        if let Some(p) = &a.hostname {
            if !lab_schema::glob::matches(p, &hostname(n)) {
                return Some(node(property(words::NODE_HOSTNAME_MISMATCH, p)));
            }
        }
        if let Some(r) = a.role {
            let found = role(n);
            if serde_plain(&r) != found {
                return Some(node(property(words::NODE_ROLE, &found)));
            }
        }
        if let Some(s) = a.status {
            let found = n.status.as_ref().and_then(|s| s.state).map(|s| s.to_string()).unwrap_or_default();
            if serde_plain(&s) != found {
                return Some(node(property(words::NODE_STATUS, &found)));
            }
        }
        if let Some(x) = a.availability {
            let found = n.spec.as_ref().and_then(|s| s.availability).map(|s| s.to_string()).unwrap_or_default();
            if serde_plain(&x) != found {
                return Some(node(property(words::NODE_AVAILABILITY, &found)));
            }
        }
        if let Some(x) = a.reachability {
            if role(n) == "manager" && n.manager_status.is_none() {
                return Some(node(ctx.tr(words::NODE_PROMOTION_PENDING)));
            }
            let found = n
                .manager_status
                .as_ref()
                .and_then(|m| m.reachability)
                .map(|s| s.to_string())
                .unwrap_or_else(|| ctx.tr(words::REACHABILITY_NONE));
            if serde_plain(&x) != found {
                return Some(node(property(words::NODE_REACHABILITY, &found)));
            }
        }
        if let Some(l) = a.leader {
            if is_leader(n) != l {
                return Some(node(ctx.tr(if l { words::NOT_THE_LEADER } else { words::THE_LEADER })));
            }
        }
        None
    };
    let matching = nodes.iter().filter(|n| lacks(n).is_none()).count() as u64;
    let want = a.count.unwrap_or(lab_schema::Count::at_least(1));
    if !want.matches(matching) {
        let others: Vec<String> = nodes.iter().filter_map(lacks).collect();
        let found = if others.is_empty() {
            format!("{matching}")
        } else {
            ctx.fill(
                words::COUNT_WITH_DETAILS,
                &[("n", &matching), ("details", &ctx.lang.list(words::LIST_SEMICOLON, &others))],
            )
        };
        let properties =
            if wanted.is_empty() { ctx.tr(words::ANY_PROPERTIES) } else { ctx.lang.list(words::LIST, &wanted) };
        f.settling(
            ctx.tr(words::FIELD_NODES),
            ctx.fill(words::NODES_WITH, &[("count", &count_text(ctx.lang, &want)), ("properties", &properties)]),
            found,
        );
        // A wrong role or availability is the learner's to fix; an unknown state may settle.
        if f.moving.is_empty() {
            f.settles.iter_mut().for_each(|s| *s = false);
        }
    }
    flag_stale(ctx, nodes, &mut f);
    f
}
