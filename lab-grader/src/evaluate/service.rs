//! Service assertions: image, mode, replicas, running tasks, command, env, ports,
//! networks (by name), mounts, endpoint mode and placement constraints.

use super::{count_text, image_text, movement, name_matches, task_state, Ctx, Findings};
use bollard::models::{EndpointPortConfig, Service, Task, TaskState};
use lab_i18n::{words, Language};
use lab_schema::*;
use std::collections::BTreeSet;

pub(crate) fn evaluate(ctx: &Ctx, a: &ServiceAssertion) -> Findings {
    if let Some(name) = &a.name {
        return match ctx.service_named(name) {
            Some(svc) => compare(ctx, svc, a),
            None => {
                let mut f = Findings::default();
                let names = ctx.all_service_names();
                let close = names.iter().find(|n| close_names(n, name)).cloned();
                let list = ctx.names(names, 12);
                let found = match close {
                    Some(close) => ctx.fill(words::NO_SUCH_SERVICE_CLOSE, &[("close", &close), ("names", &list)]),
                    None => ctx.fill(words::NO_SUCH_SERVICE, &[("names", &list)]),
                };
                f.miss(ctx.tr(words::FIELD_SERVICE), ctx.fill(words::A_SERVICE_NAMED, &[("name", name)]), found);
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
            ctx.tr(words::FIELD_SERVICE),
            ctx.fill(words::A_SERVICE_RUNNING, &[("image", &image_text(ctx.lang, image))]),
            ctx.fill(words::NO_SUCH_SERVICE, &[("names", &ctx.names(found, 12))]),
        );
        return f;
    }
    let mut best: Option<Findings> = None;
    for svc in candidates {
        let mut f = compare(ctx, svc, a);
        f.subject = Some(ctx.fill(words::SUBJECT_SERVICE, &[("service", &Ctx::service_name(svc))]));
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

fn describe_port(lang: Language, p: &EndpointPortConfig) -> String {
    let proto = p.protocol.map(|x| x.to_string()).unwrap_or_else(|| "tcp".into());
    let mode = p.publish_mode.map(|x| x.to_string()).unwrap_or_else(|| "ingress".into());
    match p.published_port {
        Some(pp) if pp > 0 => format!("{pp}→{}/{proto} ({mode})", p.target_port.unwrap_or(0)),
        _ => {
            let port = format!("{}/{proto}", p.target_port.unwrap_or(0));
            lang.fill(words::PORT_NOT_PUBLISHED, &[("port", &port), ("mode", &mode)])
        }
    }
}

fn describe_expected_port(lang: Language, e: &PortExpectation) -> String {
    let mut s = String::new();
    if let Some(p) = e.published {
        if p.min == p.max {
            s.push_str(&count_text(lang, &p));
        } else {
            s.push_str(&format!("({})", count_text(lang, &p)));
        }
        s.push('→');
    }
    s.push_str(&e.target.map(|t| t.to_string()).unwrap_or_else(|| lang.tr(words::ANY_PORT).into_owned()));
    if let Some(p) = e.protocol {
        s.push_str(&format!("/{}", serde_plain(&p)));
    }
    if let Some(m) = e.mode {
        s.push_str(&format!(" ({})", serde_plain(&m)));
    }
    s
}

/// The lower-case name serde gives an enum value (`tcp`, `ingress`, `volume`).
pub fn serde_plain<T: serde::Serialize>(v: &T) -> String {
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

/// How many tasks run, and why the others do not when a task says so: a crash loop's
/// error, a pending task's reason, or the newest failure. Tasks shut down on purpose (scale
/// down, update) say nothing.
fn running_line(lang: Language, running: u64, tasks: &[&Task]) -> String {
    let n = &running;
    if let Some(err) = movement::crash_loop(tasks) {
        return lang.fill(words::RUNNING_CRASH_LOOP, &[("n", n), ("error", &err)]);
    }
    let err = |t: &Task| t.status.as_ref().and_then(|s| s.err.clone()).unwrap_or_default();
    let mut told: Vec<&&Task> = tasks
        .iter()
        .filter(|t| matches!(task_state(t), Some(TaskState::PENDING | TaskState::FAILED | TaskState::REJECTED)))
        .filter(|t| !err(t).is_empty())
        .collect();
    told.sort_by_key(|t| std::cmp::Reverse(t.version.as_ref().and_then(|v| v.index).unwrap_or(0)));
    match told.first() {
        Some(t) if task_state(t) == Some(TaskState::PENDING) => {
            lang.fill(words::RUNNING_PENDING, &[("n", n), ("error", &err(t))])
        }
        Some(t) => lang.fill(words::RUNNING_NEWEST_FAILURE, &[("n", n), ("error", &err(t))]),
        None => lang.fill(words::RUNNING, &[("n", n)]),
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
    let mut f = Findings { moving: ctx.movement(svc), cause: ctx.cause_of(svc), ..Default::default() };
    let spec = svc.spec.clone().unwrap_or_default();
    let task = spec.task_template.clone().unwrap_or_default();
    let cs = task.container_spec.clone().unwrap_or_default();
    let exact = |x: ExactField| a.exact.contains(&x);

    if let Some(want) = &a.image {
        let found =
            cs.image.as_deref().map(|i| ImageRef::parse(i).map(|r| r.familiar()).unwrap_or_else(|_| i.to_string()));
        if !image_of(svc).is_some_and(|r| want.matches(&r)) {
            f.miss(
                ctx.tr(words::FIELD_IMAGE),
                image_text(ctx.lang, want),
                found.unwrap_or_else(|| ctx.tr(words::NO_IMAGE)),
            );
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
            f.miss(ctx.tr(words::FIELD_MODE), want, found_mode);
        }
    }
    if let Some(want) = a.replicas {
        let desired = match &mode.replicated {
            Some(r) => r.replicas.unwrap_or(1).max(0) as u64,
            None => svc.service_status.as_ref().and_then(|s| s.desired_tasks).unwrap_or(0),
        };
        if !want.matches(desired) {
            f.miss(
                ctx.tr(words::FIELD_REPLICAS),
                count_text(ctx.lang, &want),
                ctx.fill(words::COUNT_WITH_DETAILS, &[("n", &desired), ("details", &found_mode)]),
            );
        }
    }
    if let Some(want) = a.running {
        let tasks = ctx.tasks_of(svc);
        let running = tasks
            .iter()
            .filter(|t| task_state(t) == Some(TaskState::RUNNING) && t.desired_state == Some(TaskState::RUNNING))
            .count() as u64;
        if !want.matches(running) {
            let line = running_line(ctx.lang, running, &tasks);
            if running < want.min.unwrap_or(0) {
                f.settling(ctx.tr(words::FIELD_RUNNING_TASKS), count_text(ctx.lang, &want), line);
            } else {
                f.miss(ctx.tr(words::FIELD_RUNNING_TASKS), count_text(ctx.lang, &want), line);
            }
        }
    }

    let command: Vec<String> = cs.command.clone().unwrap_or_default();
    let args: Vec<String> = cs.args.clone().unwrap_or_default();
    if let Some(want) = &a.command {
        let line = command.iter().chain(args.iter()).cloned().collect::<Vec<_>>().join(" ");
        if !lab_schema::glob::matches(want, &line) {
            f.miss(
                ctx.tr(words::FIELD_COMMAND),
                format!("`{want}`"),
                if line.is_empty() { ctx.tr(words::DEFAULT_COMMAND) } else { format!("`{line}`") },
            );
        }
    }
    if let Some(want) = &a.args {
        let line = args.join(" ");
        if !lab_schema::glob::matches(want, &line) {
            f.miss(
                ctx.tr(words::FIELD_ARGS),
                format!("`{want}`"),
                if line.is_empty() { ctx.tr(words::NO_ARGUMENTS) } else { format!("`{line}`") },
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
        let (set, not_set) = (ctx.tr(words::ENV_SET), ctx.tr(words::ENV_NOT_SET));
        for (k, e) in want {
            let field = ctx.fill(words::FIELD_ENV_VARIABLE, &[("name", k)]);
            let set_to = |v: &String| ctx.fill(words::ENV_SET_TO, &[("value", v)]);
            match (e, get(k)) {
                (EnvExpectation::Present(true), None) => f.miss(field, set.clone(), not_set.clone()),
                (EnvExpectation::Present(false), Some(_)) => f.miss(field, not_set.clone(), set.clone()),
                (EnvExpectation::Value(v), None) => f.miss(field, set_to(v), not_set.clone()),
                (EnvExpectation::Value(v), Some(x)) if x != v => {
                    f.miss(field, set_to(v), ctx.tr(words::ENV_SET_TO_ANOTHER_VALUE))
                }
                _ => {}
            }
        }
        if exact(ExactField::Env) {
            let extra: Vec<String> = env.iter().map(|(k, _)| k.clone()).filter(|k| !want.contains_key(k)).collect();
            if !extra.is_empty() {
                f.miss(
                    ctx.tr(words::FIELD_ENV),
                    ctx.tr(words::ENV_NO_OTHER_VARIABLES),
                    ctx.fill(words::ENV_ALSO_SET, &[("names", &ctx.names(extra, 10))]),
                );
            }
        }
    }

    if let Some(any) = &a.env_any {
        let set: Vec<&str> = cs.env.iter().flatten().filter_map(|kv| kv.split('=').next()).collect();
        if !any.iter().any(|k| set.contains(&k.as_str())) {
            f.miss(
                ctx.tr(words::FIELD_ENV),
                ctx.fill(words::ENV_ONE_OF_SET, &[("names", &ctx.lang.list(words::LIST, any))]),
                if set.is_empty() {
                    ctx.tr(words::ENV_NO_VARIABLES_SET)
                } else {
                    let names = ctx.names(set.iter().map(|s| s.to_string()).collect(), 10);
                    ctx.fill(words::ENV_ONLY_SET, &[("names", &names)])
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
            ctx.tr(words::NO_PUBLISHED_PORTS)
        } else {
            ctx.lang.list(words::LIST, &ports.iter().map(|p| describe_port(ctx.lang, p)).collect::<Vec<_>>())
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
                ctx.tr(words::NO_PUBLISHED_PORTS)
            } else {
                let list = |es: Vec<&PortExpectation>| {
                    let described: Vec<String> = es.into_iter().map(|e| describe_expected_port(ctx.lang, e)).collect();
                    ctx.lang.list(words::LIST, &described)
                };
                if extra {
                    ctx.fill(words::PORTS_ONLY, &[("ports", &list(want.iter().collect()))])
                } else {
                    ctx.fill(words::PORTS_PUBLISHED, &[("ports", &list(missing))])
                }
            };
            f.miss(ctx.tr(words::FIELD_PORTS), expected, describe_all(&ports));
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
            ctx.tr(words::ON_NO_NETWORKS)
        } else {
            let mut names: Vec<String> = found.iter().map(|(n, _)| n.clone()).collect();
            names.sort();
            ctx.fill(words::ON_NETWORKS, &[("networks", &ctx.lang.list(words::LIST, &names))])
        };
        let strict = exact(ExactField::Networks);
        if !missing.is_empty() || (strict && !extra.is_empty()) {
            let mut w: Vec<String> = want.clone();
            w.sort();
            let networks = ctx.lang.list(words::LIST_AND, &w);
            let expected = if strict {
                if w.is_empty() {
                    ctx.tr(words::ON_NO_NETWORKS)
                } else {
                    ctx.fill(words::ON_NETWORKS_ONLY, &[("networks", &networks)])
                }
            } else {
                ctx.fill(words::ON_NETWORKS, &[("networks", &networks)])
            };
            f.miss(ctx.tr(words::FIELD_NETWORKS), expected, found_text);
        }
    }

    if let Some(want) = &a.mounts {
        let mounts = cs.mounts.clone().unwrap_or_default();
        let describe = |m: &bollard::models::Mount| {
            let kind = m.typ.map(|t| t.to_string()).unwrap_or_else(|| "volume".into());
            let src = m.source.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| ctx.tr(words::ANONYMOUS));
            let target = m.target.as_deref().unwrap_or("?");
            ctx.fill(words::MOUNT_TYPE_SOURCE_AT, &[("type", &kind), ("source", &src), ("target", &target)])
        };
        for e in want {
            let Some(m) = mounts.iter().find(|m| same_target(m.target.as_deref(), &e.target)) else {
                let others = if mounts.is_empty() {
                    ctx.tr(words::NO_MOUNTS)
                } else {
                    ctx.lang.list(words::LIST, &mounts.iter().map(describe).collect::<Vec<_>>())
                };
                let target = &e.target;
                let what = match (&e.kind, &e.source) {
                    (Some(k), Some(s)) => ctx.fill(
                        words::MOUNT_TYPE_SOURCE_AT,
                        &[("type", &serde_plain(k)), ("source", s), ("target", target)],
                    ),
                    (None, Some(s)) => ctx.fill(words::MOUNT_SOURCE_AT, &[("source", s), ("target", target)]),
                    (Some(k), None) => ctx.fill(words::MOUNT_TYPE_AT, &[("type", &serde_plain(k)), ("target", target)]),
                    (None, None) => ctx.fill(words::MOUNT_AT, &[("target", target)]),
                };
                f.miss(ctx.tr(words::FIELD_MOUNTS), what, others);
                continue;
            };
            let field = |template: &str| ctx.fill(template, &[("target", &e.target)]);
            let kind = m.typ.map(|t| t.to_string()).unwrap_or_else(|| "volume".into());
            if let Some(k) = e.kind {
                if serde_plain(&k) != kind {
                    f.miss(field(words::FIELD_MOUNT_TYPE), serde_plain(&k), kind.clone());
                }
            }
            if let Some(s) = &e.source {
                let src = m.source.clone().unwrap_or_default();
                let labels = m.volume_options.as_ref().and_then(|o| o.labels.as_ref());
                let ok = src == *s || (kind == "volume" && name_matches(&src, labels, s));
                if !ok {
                    let found = if src.is_empty() { ctx.tr(words::ANONYMOUS_VOLUME) } else { src };
                    f.miss(field(words::FIELD_MOUNT_SOURCE), s.clone(), found);
                }
            }
            if let Some(ro) = e.readonly {
                let found = m.read_only.unwrap_or(false);
                if ro != found {
                    f.miss(field(words::FIELD_MOUNT_READONLY), ro.to_string(), found.to_string());
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
                f.miss(ctx.tr(words::FIELD_MOUNTS), ctx.tr(words::NO_OTHER_MOUNTS), ctx.lang.list(words::LIST, &extra));
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
            f.miss(ctx.tr(words::FIELD_ENDPOINT_MODE), serde_plain(&want), found);
        }
    }

    if let Some(want) = &a.constraints {
        let found: Vec<String> = task.placement.as_ref().and_then(|p| p.constraints.clone()).unwrap_or_default();
        let have: BTreeSet<String> = found.iter().map(|c| normalise_constraint(c)).collect();
        let found_text =
            if found.is_empty() { ctx.tr(words::NO_CONSTRAINTS) } else { ctx.lang.list(words::LIST, &found) };
        for c in want {
            if !have.contains(&normalise_constraint(c)) {
                f.miss(ctx.tr(words::FIELD_CONSTRAINTS), c.clone(), found_text.clone());
            }
        }
        if exact(ExactField::Constraints) {
            let wanted: BTreeSet<String> = want.iter().map(|c| normalise_constraint(c)).collect();
            let extra: Vec<&String> = found.iter().filter(|c| !wanted.contains(&normalise_constraint(c))).collect();
            if !extra.is_empty() {
                f.miss(
                    ctx.tr(words::FIELD_CONSTRAINTS),
                    ctx.tr(words::NO_OTHER_CONSTRAINTS),
                    ctx.lang.list(words::LIST, &extra),
                );
            }
        }
    }
    f
}
