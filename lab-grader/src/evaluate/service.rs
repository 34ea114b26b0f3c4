//! Service assertions: image, mode, replicas, running tasks, command, env, ports,
//! networks (by name), mounts, endpoint mode and placement constraints.

use super::{list_names, movement, name_matches, task_state, Ctx, Findings};
use bollard::models::{EndpointPortConfig, Service, Task, TaskState};
use lab_schema::*;
use std::collections::BTreeSet;

pub(crate) fn evaluate(ctx: &Ctx, a: &ServiceAssertion) -> Findings {
    if let Some(name) = &a.name {
        return match ctx.service_named(name) {
            Some(svc) => compare(ctx, svc, a),
            None => {
                let mut f = Findings::default();
                let names = ctx.all_service_names();
                let close = names
                    .iter()
                    .find(|n| close_names(n, name))
                    .map(|n| format!("; `{n}` looks close"))
                    .unwrap_or_default();
                f.miss(
                    "service",
                    format!("a service named `{name}`"),
                    format!("no such service{close} (services: {})", list_names(names, 12)),
                );
                f
            }
        };
    }
    // Selected by image: grade the candidate closest to passing, and name it.
    let Some(image) = &a.image else { return Findings::default() };
    let candidates: Vec<&Service> =
        ctx.snap.services.iter().filter(|s| image_of(s).is_some_and(|r| image.matches(&r))).collect();
    if candidates.is_empty() {
        let found: Vec<String> = ctx
            .snap
            .services
            .iter()
            .map(|s| format!("{} ({})", Ctx::service_name(s), image_of(s).map(|r| r.familiar()).unwrap_or_default()))
            .collect();
        let mut f = Findings::default();
        f.miss(
            "service",
            format!("a service running {image}"),
            format!("no such service (services: {})", list_names(found, 12)),
        );
        return f;
    }
    let mut best: Option<Findings> = None;
    for svc in candidates {
        let mut f = compare(ctx, svc, a);
        f.subject = Some(format!("service {}", Ctx::service_name(svc)));
        let better = match &best {
            None => true,
            Some(b) => (f.mismatches.len(), f.moving.is_empty()) < (b.mismatches.len(), b.moving.is_empty()),
        };
        if better {
            best = Some(f);
        }
    }
    best.unwrap_or_default()
}

/// Names a learner may have meant: a different case, a plural, a typo or two.
fn close_names(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if a == b || a.trim_end_matches('s') == b.trim_end_matches('s') || a.ends_with(&format!("_{b}")) {
        return true;
    }
    lab_schema::spelling::edit_distance(&a, &b) <= 2 && b.chars().count() > 3
}

pub(crate) fn image_of(s: &Service) -> Option<ImageRef> {
    let img = s.spec.as_ref()?.task_template.as_ref()?.container_spec.as_ref()?.image.as_deref()?;
    ImageRef::parse(img).ok()
}

fn describe_port(p: &EndpointPortConfig) -> String {
    let proto = p.protocol.map(|x| x.to_string()).unwrap_or_else(|| "tcp".into());
    let mode = p.publish_mode.map(|x| x.to_string()).unwrap_or_else(|| "ingress".into());
    match p.published_port {
        Some(pp) if pp > 0 => format!("{pp}→{}/{proto} ({mode})", p.target_port.unwrap_or(0)),
        _ => format!("{}/{proto} ({mode}, no published port)", p.target_port.unwrap_or(0)),
    }
}

fn describe_expected_port(e: &PortExpectation) -> String {
    let mut s = String::new();
    if let Some(p) = e.published {
        if p.min == p.max {
            s.push_str(&p.to_string());
        } else {
            s.push_str(&format!("({p})"));
        }
        s.push('→');
    }
    s.push_str(&e.target.map(|t| t.to_string()).unwrap_or_else(|| "any".into()));
    if let Some(p) = e.protocol {
        s.push_str(&format!("/{}", serde_plain(&p)));
    }
    if let Some(m) = e.mode {
        s.push_str(&format!(" ({})", serde_plain(&m)));
    }
    s
}

/// The lower-case name serde gives an enum value (`tcp`, `ingress`, `volume`).
pub(crate) fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn port_matches(e: &PortExpectation, p: &EndpointPortConfig) -> bool {
    let proto = p.protocol.map(|x| x.to_string()).unwrap_or_else(|| "tcp".into());
    let mode = p.publish_mode.map(|x| x.to_string()).unwrap_or_else(|| "ingress".into());
    e.target.is_none_or(|t| p.target_port == Some(t as i64))
        && e.published.is_none_or(|c| p.published_port.is_some_and(|pp| pp > 0 && c.matches(pp as u64)))
        && e.protocol.is_none_or(|x| serde_plain(&x) == proto)
        && e.mode.is_none_or(|x| serde_plain(&x) == mode)
}

/// Why tasks are not running, when a task says so: a crash loop's error, a pending task's
/// reason, or the newest failure. Tasks shut down on purpose (scale down, update) say nothing.
fn why_not_running(tasks: &[&Task]) -> String {
    if let Some(err) = movement::crash_loop(tasks) {
        return format!("; tasks keep failing: {err}");
    }
    let err = |t: &Task| t.status.as_ref().and_then(|s| s.err.clone()).unwrap_or_default();
    let mut told: Vec<&&Task> = tasks
        .iter()
        .filter(|t| matches!(task_state(t), Some(TaskState::PENDING | TaskState::FAILED | TaskState::REJECTED)))
        .filter(|t| !err(t).is_empty())
        .collect();
    told.sort_by_key(|t| std::cmp::Reverse(t.version.as_ref().and_then(|v| v.index).unwrap_or(0)));
    match told.first() {
        Some(t) if task_state(t) == Some(TaskState::PENDING) => format!("; a task is pending: {}", err(t)),
        Some(t) => format!("; newest failure: {}", err(t)),
        None => String::new(),
    }
}

/// A mount target as the lab states it and as the engine reports it (`/data/` is `/data`).
fn same_target(found: Option<&str>, want: &str) -> bool {
    found.is_some_and(|t| t.trim_end_matches('/') == want.trim_end_matches('/'))
}

fn normalise_constraint(c: &str) -> String {
    c.chars().filter(|ch| !ch.is_whitespace()).collect()
}

fn compare(ctx: &Ctx, svc: &Service, a: &ServiceAssertion) -> Findings {
    let mut f = Findings { moving: ctx.movement(svc), ..Default::default() };
    let spec = svc.spec.clone().unwrap_or_default();
    let task = spec.task_template.clone().unwrap_or_default();
    let cs = task.container_spec.clone().unwrap_or_default();
    let exact = |x: ExactField| a.exact.contains(&x);

    if let Some(want) = &a.image {
        let found =
            cs.image.as_deref().map(|i| ImageRef::parse(i).map(|r| r.familiar()).unwrap_or_else(|_| i.to_string()));
        if !image_of(svc).is_some_and(|r| want.matches(&r)) {
            f.miss("image", want.to_string(), found.unwrap_or_else(|| "no image".into()));
        }
    }

    let mode = spec.mode.clone().unwrap_or_default();
    let found_mode = if mode.global.is_some() {
        "global"
    } else if mode.replicated_job.is_some() {
        "replicated-job"
    } else if mode.global_job.is_some() {
        "global-job"
    } else {
        "replicated"
    };
    if let Some(m) = a.mode {
        let want = serde_plain(&m);
        if want != found_mode {
            f.miss("mode", want, found_mode);
        }
    }
    if let Some(want) = a.replicas {
        let desired = match &mode.replicated {
            Some(r) => r.replicas.unwrap_or(1).max(0) as u64,
            None => svc.service_status.as_ref().and_then(|s| s.desired_tasks).unwrap_or(0),
        };
        if !want.matches(desired) {
            f.miss("replicas", want.to_string(), format!("{desired} ({found_mode})"));
        }
    }
    if let Some(want) = a.running {
        let tasks = ctx.tasks_of(svc);
        let running = tasks
            .iter()
            .filter(|t| task_state(t) == Some(TaskState::RUNNING) && t.desired_state == Some(TaskState::RUNNING))
            .count() as u64;
        if !want.matches(running) {
            let line = format!("{running} running{}", why_not_running(&tasks));
            if running < want.min.unwrap_or(0) {
                f.settling("running tasks", want.to_string(), line);
            } else {
                f.miss("running tasks", want.to_string(), line);
            }
        }
    }

    let command: Vec<String> = cs.command.clone().unwrap_or_default();
    let args: Vec<String> = cs.args.clone().unwrap_or_default();
    if let Some(want) = &a.command {
        let line = command.iter().chain(args.iter()).cloned().collect::<Vec<_>>().join(" ");
        if !lab_schema::glob::matches(want, &line) {
            f.miss(
                "command",
                format!("`{want}`"),
                if line.is_empty() { "the image's default command".into() } else { format!("`{line}`") },
            );
        }
    }
    if let Some(want) = &a.args {
        let line = args.join(" ");
        if !lab_schema::glob::matches(want, &line) {
            f.miss(
                "args",
                format!("`{want}`"),
                if line.is_empty() { "no arguments".into() } else { format!("`{line}`") },
            );
        }
    }

    if let Some(want) = &a.env {
        let env: Vec<(String, String)> = cs
            .env
            .iter()
            .flatten()
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv.clone(), String::new()),
            })
            .collect();
        let get = |k: &str| env.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        for (k, e) in want {
            let field = format!("env {k}");
            match (e, get(k)) {
                (EnvExpectation::Present(true), None) => f.miss(field, "set", "not set"),
                (EnvExpectation::Present(false), Some(_)) => f.miss(field, "not set", "set"),
                (EnvExpectation::Value(v), None) => f.miss(field, format!("set to `{v}`"), "not set"),
                (EnvExpectation::Value(v), Some(x)) if x != v => {
                    f.miss(field, format!("set to `{v}`"), "set to a different value")
                }
                _ => {}
            }
        }
        if exact(ExactField::Env) {
            let extra: Vec<String> = env.iter().map(|(k, _)| k.clone()).filter(|k| !want.contains_key(k)).collect();
            if !extra.is_empty() {
                f.miss("env", "no other variables", format!("also set: {}", list_names(extra, 10)));
            }
        }
    }

    if let Some(any) = &a.env_any {
        let set: Vec<&str> = cs.env.iter().flatten().filter_map(|kv| kv.split('=').next()).collect();
        if !any.iter().any(|k| set.contains(&k.as_str())) {
            let names: Vec<&str> = any.iter().map(String::as_str).collect();
            f.miss(
                "env",
                format!("one of {} set", names.join(", ")),
                if set.is_empty() {
                    "no variables set".to_string()
                } else {
                    format!("only {} set", list_names(set.iter().map(|s| s.to_string()).collect(), 10))
                },
            );
        }
    }

    // Ports: what the engine assigned (endpoint) when known, else what was asked (spec).
    let ports: Vec<EndpointPortConfig> = svc
        .endpoint
        .as_ref()
        .and_then(|e| e.ports.clone())
        .filter(|p| !p.is_empty())
        .or_else(|| spec.endpoint_spec.as_ref().and_then(|e| e.ports.clone()))
        .unwrap_or_default();
    let describe_all = |ports: &[EndpointPortConfig]| {
        if ports.is_empty() {
            "no published ports".to_string()
        } else {
            ports.iter().map(describe_port).collect::<Vec<_>>().join(", ")
        }
    };
    if let Some(want) = &a.ports {
        // One mismatch for the ports field: what is missing (and, when exact, what is extra),
        // against every port found.
        let missing: Vec<&PortExpectation> =
            want.iter().filter(|e| !ports.iter().any(|p| port_matches(e, p))).collect();
        let extra = exact(ExactField::Ports) && ports.iter().any(|p| !want.iter().any(|e| port_matches(e, p)));
        if !missing.is_empty() || extra {
            let expected = if want.is_empty() {
                "no published ports".to_string()
            } else {
                let list = |es: Vec<&PortExpectation>| es.into_iter().map(describe_expected_port).collect::<Vec<_>>();
                let named = if extra { list(want.iter().collect()) } else { list(missing) };
                format!("{} {}", if extra { "only" } else { "published" }, named.join(", "))
            };
            f.miss("ports", expected, describe_all(&ports));
        }
    }

    if let Some(want) = &a.networks {
        let attachments = task.networks.clone().or_else(|| spec.networks.clone()).unwrap_or_default();
        let found: Vec<(String, Option<&bollard::models::Network>)> = attachments
            .iter()
            .filter_map(|n| n.target.clone())
            .map(|t| {
                let net = ctx.network(&t);
                (net.and_then(|n| n.name.clone()).unwrap_or(t), net)
            })
            .collect();
        let has = |w: &str| found.iter().any(|(name, net)| name_matches(name, net.and_then(|n| n.labels.as_ref()), w));
        let missing: Vec<&String> = want.iter().filter(|w| !has(w)).collect();
        let extra: Vec<&String> = found
            .iter()
            .filter(|(name, net)| !want.iter().any(|w| name_matches(name, net.and_then(|n| n.labels.as_ref()), w)))
            .map(|(n, _)| n)
            .collect();
        let found_text = if found.is_empty() {
            "on no networks".to_string()
        } else {
            let mut names: Vec<String> = found.iter().map(|(n, _)| n.clone()).collect();
            names.sort();
            format!("on {}", names.join(", "))
        };
        let strict = exact(ExactField::Networks);
        if !missing.is_empty() || (strict && !extra.is_empty()) {
            let mut w: Vec<String> = want.clone();
            w.sort();
            let expected = if strict {
                if w.is_empty() {
                    "on no networks".into()
                } else {
                    format!("on {} only", w.join(" and "))
                }
            } else {
                format!("on {}", w.join(" and "))
            };
            f.miss("networks", expected, found_text);
        }
    }

    if let Some(want) = &a.mounts {
        let mounts = cs.mounts.clone().unwrap_or_default();
        let describe = |m: &bollard::models::Mount| {
            let kind = m.typ.map(|t| t.to_string()).unwrap_or_else(|| "volume".into());
            let src = m.source.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "(anonymous)".into());
            format!("{kind} {src} at {}", m.target.as_deref().unwrap_or("?"))
        };
        for e in want {
            let Some(m) = mounts.iter().find(|m| same_target(m.target.as_deref(), &e.target)) else {
                let others = if mounts.is_empty() {
                    "no mounts".to_string()
                } else {
                    mounts.iter().map(describe).collect::<Vec<_>>().join(", ")
                };
                let what = match (&e.kind, &e.source) {
                    (Some(k), Some(s)) => format!("{} {s} at {}", serde_plain(k), e.target),
                    (None, Some(s)) => format!("{s} at {}", e.target),
                    (Some(k), None) => format!("a {} at {}", serde_plain(k), e.target),
                    (None, None) => format!("a mount at {}", e.target),
                };
                f.miss("mounts", what, others);
                continue;
            };
            let field = |x: &str| format!("mount at {} {x}", e.target);
            let kind = m.typ.map(|t| t.to_string()).unwrap_or_else(|| "volume".into());
            if let Some(k) = e.kind {
                if serde_plain(&k) != kind {
                    f.miss(field("type"), serde_plain(&k), kind.clone());
                }
            }
            if let Some(s) = &e.source {
                let src = m.source.clone().unwrap_or_default();
                let labels = m.volume_options.as_ref().and_then(|o| o.labels.as_ref());
                let ok = src == *s || (kind == "volume" && name_matches(&src, labels, s));
                if !ok {
                    f.miss(field("source"), s.clone(), if src.is_empty() { "an anonymous volume".into() } else { src });
                }
            }
            if let Some(ro) = e.readonly {
                let found = m.read_only.unwrap_or(false);
                if ro != found {
                    f.miss(field("readonly"), ro.to_string(), found.to_string());
                }
            }
        }
        if exact(ExactField::Mounts) {
            let extra: Vec<String> = mounts
                .iter()
                .filter(|m| !want.iter().any(|e| same_target(m.target.as_deref(), &e.target)))
                .map(describe)
                .collect();
            if !extra.is_empty() {
                f.miss("mounts", "no other mounts", extra.join(", "));
            }
        }
    }

    if let Some(want) = a.endpoint_mode {
        let found = spec
            .endpoint_spec
            .as_ref()
            .and_then(|e| e.mode)
            .map(|m| m.to_string())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "vip".into());
        if serde_plain(&want) != found {
            f.miss("endpoint mode", serde_plain(&want), found);
        }
    }

    if let Some(want) = &a.constraints {
        let found: Vec<String> = task.placement.as_ref().and_then(|p| p.constraints.clone()).unwrap_or_default();
        let have: BTreeSet<String> = found.iter().map(|c| normalise_constraint(c)).collect();
        let found_text = if found.is_empty() { "no constraints".to_string() } else { found.join(", ") };
        for c in want {
            if !have.contains(&normalise_constraint(c)) {
                f.miss("constraints", c.clone(), found_text.clone());
            }
        }
        if exact(ExactField::Constraints) {
            let wanted: BTreeSet<String> = want.iter().map(|c| normalise_constraint(c)).collect();
            let extra: Vec<&String> = found.iter().filter(|c| !wanted.contains(&normalise_constraint(c))).collect();
            if !extra.is_empty() {
                f.miss(
                    "constraints",
                    "no other constraints",
                    extra.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                );
            }
        }
    }
    f
}
