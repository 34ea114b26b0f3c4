//! Service assertions: selection (by name, by image, not found), image, mode, replicas,
//! running tasks, command and args, env, ports, networks, mounts, endpoint mode and
//! placement constraints, each pass and fail.

use super::*;
use bollard::models::{EndpointPortConfig, EndpointSpecModeEnum, MountType, NetworkAttachmentConfig};
use serde_json::json;

fn web(extra: Value) -> Assertion {
    let mut v = json!({ "name": "web" });
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    service_a(v)
}

#[test]
fn the_recorded_web_service_passes_every_field_stated_exactly() {
    let a = service_a(json!({
        "name": "web",
        "image": "nginx",
        "mode": "replicated",
        "replicas": 2,
        "running": 2,
        "env": { "GREETING": "hello", "EMPTY": true, "MISSING": false },
        "env_any": ["NOPE", "GREETING"],
        "ports": [
            { "target": 80, "published": 8080, "protocol": "tcp", "mode": "ingress" },
            { "target": 53, "published": 9053, "protocol": "udp", "mode": "host" }
        ],
        "networks": ["front"],
        "mounts": [
            { "type": "volume", "source": "webdata", "target": "/data", "readonly": true },
            { "type": "bind", "source": "/tmp", "target": "/host/", "readonly": false },
            { "type": "tmpfs", "target": "/cache" }
        ],
        "endpoint_mode": "vip",
        "constraints": ["node.role == manager"],
        "exact": ["ports", "networks", "mounts", "constraints", "env"]
    }));
    let r = eval(&swarm(), a);
    assert_pass(&r);
    assert_eq!(r.message, "passed");
}

#[test]
fn image_tags_registries_and_any_tag() {
    for ok in ["nginx", "nginx:latest", "docker.io/library/nginx:latest", "nginx:*"] {
        assert_pass(&eval(&swarm(), web(json!({ "image": ok }))));
    }
    assert_pass(&eval(&swarm(), web(json!({ "image": ["httpd", "nginx"] }))));
    assert_fails(&eval(&swarm(), web(json!({ "image": "nginx:1.25" }))), "image", "nginx:1.25", "nginx:latest");
    assert_fails(
        &eval(&swarm(), web(json!({ "image": "bitnami/nginx" }))),
        "image",
        "bitnami/nginx:latest",
        "nginx:latest",
    );
}

#[test]
fn an_unparsable_or_missing_image_is_named_as_found() {
    let mut snap = swarm();
    let cs = |s: &mut Snapshot| {
        service_mut(s, "web")
            .spec
            .as_mut()
            .unwrap()
            .task_template
            .as_mut()
            .unwrap()
            .container_spec
            .as_mut()
            .unwrap()
            .image = None
    };
    cs(&mut snap);
    assert_fails(&eval(&snap, web(json!({ "image": "nginx" }))), "image", "nginx:latest", "no image");
    let mut snap = swarm();
    service_mut(&mut snap, "web")
        .spec
        .as_mut()
        .unwrap()
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap()
        .image = Some("NGINX".into());
    assert_fails(&eval(&snap, web(json!({ "image": "nginx" }))), "image", "nginx:latest", "NGINX");
}

#[test]
fn mode_replicated_or_global() {
    assert_fails(&eval(&swarm(), web(json!({ "mode": "global" }))), "mode", "global", "replicated");
    let global = |mode: &str| service_a(json!({ "name": "unruffled_spence", "mode": mode }));
    assert_pass(&eval(&swarm(), global("global")));
    assert_fails(&eval(&swarm(), global("replicated")), "mode", "replicated", "global");
}

#[test]
fn jobs_are_named_by_their_mode() {
    let mut snap = swarm();
    let mode = service_mut(&mut snap, "web").spec.as_mut().unwrap().mode.as_mut().unwrap();
    mode.replicated = None;
    mode.replicated_job = Some(Default::default());
    assert_fails(&eval(&snap, web(json!({ "mode": "replicated" }))), "mode", "replicated", "replicated-job");
    let mode = service_mut(&mut snap, "web").spec.as_mut().unwrap().mode.as_mut().unwrap();
    mode.replicated_job = None;
    mode.global_job = Some(Default::default());
    assert_fails(&eval(&snap, web(json!({ "mode": "global" }))), "mode", "global", "global-job");
}

#[test]
fn replicas_exact_and_ranges() {
    assert_pass(&eval(&swarm(), web(json!({ "replicas": { "min": 2 } }))));
    assert_pass(&eval(&swarm(), web(json!({ "replicas": { "min": 1, "max": 2 } }))));
    assert_fails(&eval(&swarm(), web(json!({ "replicas": 3 }))), "replicas", "3", "2 (replicated)");
    assert_fails(&eval(&swarm(), web(json!({ "replicas": { "max": 1 } }))), "replicas", "at most 1", "2 (replicated)");
    // A global service's replicas are the tasks it wants: one per eligible node.
    let global = |n: u64| service_a(json!({ "name": "unruffled_spence", "replicas": n }));
    assert_pass(&eval(&swarm(), global(3)));
    assert_fails(&eval(&swarm(), global(2)), "replicas", "2", "3 (global)");
}

#[test]
fn replicas_unset_mean_one_and_negative_counts_are_zero() {
    let mut snap = swarm();
    let set = |snap: &mut Snapshot, n: Option<i64>| {
        service_mut(snap, "web").spec.as_mut().unwrap().mode.as_mut().unwrap().replicated.as_mut().unwrap().replicas = n
    };
    set(&mut snap, None);
    assert_pass(&eval(&snap, web(json!({ "replicas": 1 }))));
    set(&mut snap, Some(-4));
    assert_fails(&eval(&snap, web(json!({ "replicas": 1 }))), "replicas", "1", "0 (replicated)");
}

#[test]
fn running_tasks_say_why_the_others_are_not_running() {
    assert_pass(&eval(&swarm(), web(json!({ "running": 2 }))));
    assert_fails(&eval(&swarm(), web(json!({ "running": { "max": 1 } }))), "running tasks", "at most 1", "2 running");
    let r = eval(&swarm(), service_a(json!({ "name": "crashy", "running": 1 })));
    // The newest task that is not running, with the engine's error.
    assert_fails(&r, "running tasks", "1", "0 running; tasks keep failing: task: non-zero exit (3)");
}

#[test]
fn a_task_status_without_error_gives_its_message_or_nothing() {
    let mut snap = swarm();
    for t in &mut snap.tasks {
        if let Some(s) = t.status.as_mut() {
            s.err = None;
        }
    }
    let r = eval(&snap, service_a(json!({ "name": "crashy", "running": 1 })));
    assert_fails(&r, "running tasks", "1", "0 running; tasks keep failing: started");
    for t in &mut snap.tasks {
        if let Some(s) = t.status.as_mut() {
            s.message = Some(String::new());
            s.err = Some(String::new());
        }
    }
    let r = eval(&snap, service_a(json!({ "name": "crashy", "running": 1 })));
    assert!(one_failure(&r).found.starts_with("0 running"), "{r:#?}");
}

#[test]
fn too_few_running_tasks_settle_only_while_the_service_moves() {
    let mut snap = swarm();
    // An update in progress: too few tasks may settle, too many will not.
    service_mut(&mut snap, "web").update_status =
        Some(bollard::models::ServiceUpdateStatus { state: Some("updating".parse().unwrap()), ..Default::default() });
    let r = eval(&snap, web(json!({ "running": 3 })));
    assert_eq!(r.status, Status::Converging, "{r:#?}");
    assert_eq!(r.points, 0);
    let r = eval(&snap, web(json!({ "running": { "max": 1 } })));
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    // Settled: too few is a failure.
    let r = eval(&swarm(), web(json!({ "running": 3 })));
    assert_fails(&r, "running tasks", "3", "2 running");
}

#[test]
fn command_is_entrypoint_and_args_args_alone() {
    let spence = |extra: Value| {
        let mut v = json!({ "name": "unruffled_spence" });
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        service_a(v)
    };
    assert_pass(&eval(&swarm(), spence(json!({ "command": "sleep *", "args": "sleep 86400" }))));
    assert_fails(&eval(&swarm(), spence(json!({ "command": "ping *" }))), "command", "`ping *`", "`sleep 86400`");
    assert_fails(&eval(&swarm(), spence(json!({ "args": "ping" }))), "args", "`ping`", "`sleep 86400`");
    assert_fails(
        &eval(&swarm(), web(json!({ "command": "nginx" }))),
        "command",
        "`nginx`",
        "the image's default command",
    );
    assert_fails(&eval(&swarm(), web(json!({ "args": "-g" }))), "args", "`-g`", "no arguments");
    assert_pass(&eval(&swarm(), web(json!({ "command": "*", "args": "*" }))));

    // `--entrypoint sleep` + `86400`: the command line is both, entrypoint first.
    let mut snap = swarm();
    let cs = service_mut(&mut snap, "unruffled_spence")
        .spec
        .as_mut()
        .unwrap()
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap();
    cs.command = Some(vec!["sleep".into()]);
    cs.args = Some(vec!["86400".into()]);
    assert_pass(&eval(&snap, spence(json!({ "command": "sleep 86400", "args": "86400" }))));
    assert_fails(&eval(&snap, spence(json!({ "args": "sleep 86400" }))), "args", "`sleep 86400`", "`86400`");
    assert_fails(
        &eval(&snap, spence(json!({ "command": "86400 sleep" }))),
        "command",
        "`86400 sleep`",
        "`sleep 86400`",
    );
}

#[test]
fn env_values_are_compared_but_never_printed() {
    let r = eval(&swarm(), web(json!({ "env": { "GREETING": "bye" } })));
    assert_fails(&r, "env GREETING", "set to `bye`", "set to a different value");
    assert!(!format!("{r:?}").contains("hello"), "the value found must not be printed: {r:?}");
    assert_fails(&eval(&swarm(), web(json!({ "env": { "MISSING": true } }))), "env MISSING", "set", "not set");
    assert_fails(&eval(&swarm(), web(json!({ "env": { "GREETING": false } }))), "env GREETING", "not set", "set");
    assert_fails(&eval(&swarm(), web(json!({ "env": { "MISSING": "x" } }))), "env MISSING", "set to `x`", "not set");
    assert_pass(&eval(&swarm(), web(json!({ "env": { "EMPTY": "" } }))));
}

#[test]
fn env_exact_names_the_extra_variables() {
    let r = eval(&swarm(), web(json!({ "env": { "GREETING": true }, "exact": ["env"] })));
    assert_fails(&r, "env", "no other variables", "also set: EMPTY");
    // Without `exact`, extra variables are fine.
    assert_pass(&eval(&swarm(), web(json!({ "env": { "GREETING": true } }))));
}

#[test]
fn env_the_last_value_wins_and_a_bare_name_is_set_and_empty() {
    let mut snap = swarm();
    service_mut(&mut snap, "web")
        .spec
        .as_mut()
        .unwrap()
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap()
        .env = Some(vec!["A=1".into(), "A=2".into(), "FLAG".into()]);
    assert_pass(&eval(&snap, web(json!({ "env": { "A": "2", "FLAG": "" } }))));
    assert_fails(&eval(&snap, web(json!({ "env": { "A": "1" } }))), "env A", "set to `1`", "a different value");
    assert_pass(&eval(&snap, web(json!({ "env_any": ["FLAG"] }))));
}

#[test]
fn env_any_accepts_one_of_several() {
    let db = |names: Value| service_a(json!({ "name": "db", "env_any": names }));
    assert_pass(&eval(&swarm(), db(json!(["POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE"]))));
    assert_fails(
        &eval(&swarm(), db(json!(["POSTGRES_PASSWORD", "POSTGRES_HOST_AUTH_METHOD"]))),
        "env",
        "one of POSTGRES_PASSWORD, POSTGRES_HOST_AUTH_METHOD set",
        "only POSTGRES_PASSWORD_FILE set",
    );
    let r = eval(&swarm(), service_a(json!({ "name": "unruffled_spence", "env_any": ["X"] })));
    assert_fails(&r, "env", "one of X set", "no variables set");
}

#[test]
fn ports_match_on_every_stated_field() {
    for ok in [
        json!([{ "target": 80 }]),
        json!([{ "target": 80, "published": 8080 }]),
        json!([{ "published": { "min": 1024 } }]),
        json!([{ "target": 53, "protocol": "udp", "mode": "host" }]),
        json!([{ "protocol": "tcp" }, { "mode": "host" }]),
        json!([]),
    ] {
        assert_pass(&eval(&swarm(), web(json!({ "ports": ok }))));
    }
    let found = "8080→80/tcp (ingress), 9053→53/udp (host)";
    for (bad, expected) in [
        (json!({ "target": 81 }), "published 81"),
        (json!({ "target": 80, "published": 80 }), "published 80→80"),
        (json!({ "target": 80, "protocol": "udp" }), "published 80/udp"),
        (json!({ "target": 53, "mode": "ingress" }), "published 53 (ingress)"),
        (json!({ "target": 80, "published": { "min": 9000, "max": 9999 } }), "published (9000 to 9999)→80"),
        (json!({ "protocol": "sctp" }), "published any/sctp"),
    ] {
        let r = eval(&swarm(), web(json!({ "ports": [bad] })));
        assert_fails(&r, "ports", expected, found);
    }
    let r = eval(&swarm(), service_a(json!({ "name": "db", "ports": [{ "target": 5432 }] })));
    assert_fails(&r, "ports", "published 5432", "no published ports");
}

#[test]
fn ports_exact_names_the_extra_ports() {
    let r = eval(&swarm(), web(json!({ "ports": [{ "target": 80 }], "exact": ["ports"] })));
    assert_fails(&r, "ports", "only 80", "9053→53/udp (host)");
    let r = eval(&swarm(), web(json!({ "ports": [], "exact": ["ports"] })));
    let m = one_failure(&r);
    assert_eq!((m.field.as_str(), m.expected.as_str()), ("ports", "no published ports"));
    assert_eq!(m.found, "8080→80/tcp (ingress), 9053→53/udp (host)");
    assert_pass(&eval(&swarm(), service_a(json!({ "name": "db", "ports": [], "exact": ["ports"] }))));
}

#[test]
fn ports_fall_back_to_the_spec_and_default_to_tcp_ingress() {
    // Before the engine has assigned ports, the service's endpoint lists none.
    for assigned in [None, Some(vec![])] {
        let mut snap = swarm();
        service_mut(&mut snap, "web").endpoint.as_mut().unwrap().ports = assigned;
        assert_pass(&eval(&snap, web(json!({ "ports": [{ "target": 80, "published": 8080 }] }))));
    }
    // A port without protocol or mode is TCP through the routing mesh; one without a
    // published port does not match a published expectation.
    let mut snap = swarm();
    let bare = EndpointPortConfig { target_port: Some(80), ..Default::default() };
    service_mut(&mut snap, "web").endpoint.as_mut().unwrap().ports = Some(vec![bare.clone()]);
    assert_pass(&eval(&snap, web(json!({ "ports": [{ "target": 80, "protocol": "tcp", "mode": "ingress" }] }))));
    assert_fails(
        &eval(&snap, web(json!({ "ports": [{ "target": 80, "published": { "min": 0 } }] }))),
        "ports",
        "published (at least 0)→80",
        "80/tcp (ingress, no published port)",
    );
    let zero = EndpointPortConfig { published_port: Some(0), ..bare };
    service_mut(&mut snap, "web").endpoint.as_mut().unwrap().ports = Some(vec![zero]);
    assert_fails(
        &eval(&snap, web(json!({ "ports": [{ "published": { "min": 0 } }] }))),
        "ports",
        "published (at least 0)→any",
        "80/tcp (ingress, no published port)",
    );
}

#[test]
fn networks_by_name_stack_prefix_and_exactly() {
    assert_pass(&eval(&swarm(), web(json!({ "networks": ["front"] }))));
    assert_pass(&eval(&swarm(), service_a(json!({ "name": "shop_redis", "networks": ["backend"] }))));
    assert_pass(&eval(
        &swarm(),
        service_a(json!({ "name": "redis", "networks": ["shop_backend"], "exact": ["networks"] })),
    ));
    assert_fails(
        &eval(&swarm(), web(json!({ "networks": ["private", "front"] }))),
        "networks",
        "on front and private",
        "on front",
    );
    assert_fails(
        &eval(&swarm(), web(json!({ "networks": ["private"], "exact": ["networks"] }))),
        "networks",
        "on private only",
        "on front",
    );
    assert_fails(
        &eval(&swarm(), web(json!({ "networks": [], "exact": ["networks"] }))),
        "networks",
        "on no networks",
        "on front",
    );
    // Extra networks are fine unless `exact`.
    assert_pass(&eval(&swarm(), web(json!({ "networks": [] }))));
    assert_fails(
        &eval(&swarm(), service_a(json!({ "name": "db", "networks": ["front"] }))),
        "networks",
        "on front",
        "on no networks",
    );
}

#[test]
fn networks_listed_in_the_old_spec_field_or_by_short_id_are_found() {
    let front_id = swarm().networks.iter().find(|n| n.name.as_deref() == Some("front")).unwrap().id.clone().unwrap();
    // API < 1.29 clients put the attachments in Spec.Networks.
    let mut snap = swarm();
    let spec = service_mut(&mut snap, "web").spec.as_mut().unwrap();
    spec.networks = spec.task_template.as_mut().unwrap().networks.take();
    assert_pass(&eval(&snap, web(json!({ "networks": ["front"], "exact": ["networks"] }))));
    // By name, or by a unique ID prefix of 6 characters or more, as `docker` accepts.
    for (target, ok) in [("front", true), (&front_id[..6], true), (&front_id[..5], false)] {
        let mut snap = swarm();
        service_mut(&mut snap, "web").spec.as_mut().unwrap().task_template.as_mut().unwrap().networks =
            Some(vec![NetworkAttachmentConfig { target: Some(target.to_string()), ..Default::default() }]);
        let r = eval(&snap, web(json!({ "networks": ["front"] })));
        if ok {
            assert_pass(&r);
        } else {
            assert_fails(&r, "networks", "on front", &format!("on {target}"));
        }
    }
}

#[test]
fn a_short_id_prefix_shared_by_two_networks_names_none() {
    let mut snap = swarm();
    let prefix = "abcdef12";
    let mut ids = snap.networks.iter_mut().filter(|n| matches!(n.name.as_deref(), Some("front" | "private")));
    ids.next().unwrap().id = Some(format!("{prefix}1111"));
    ids.next().unwrap().id = Some(format!("{prefix}2222"));
    service_mut(&mut snap, "web").spec.as_mut().unwrap().task_template.as_mut().unwrap().networks =
        Some(vec![NetworkAttachmentConfig { target: Some(prefix.into()), ..Default::default() }]);
    assert_fails(&eval(&snap, web(json!({ "networks": ["front"] }))), "networks", "on front", "on abcdef12");
}

#[test]
fn mounts_by_target_with_type_source_and_readonly() {
    assert_pass(&eval(&swarm(), web(json!({ "mounts": [{ "target": "/data/" }] }))));
    let one = |m: Value| web(json!({ "mounts": [m] }));
    assert_fails(
        &eval(&swarm(), one(json!({ "target": "/data", "readonly": false }))),
        "mount at /data readonly",
        "false",
        "true",
    );
    assert_fails(
        &eval(&swarm(), one(json!({ "target": "/data", "type": "bind" }))),
        "mount at /data type",
        "bind",
        "volume",
    );
    assert_fails(
        &eval(&swarm(), one(json!({ "target": "/data", "source": "other" }))),
        "mount at /data source",
        "other",
        "webdata",
    );
    assert_fails(
        &eval(&swarm(), one(json!({ "target": "/cache", "source": "cache" }))),
        "mount at /cache source",
        "cache",
        "an anonymous volume",
    );
    assert_fails(
        &eval(&swarm(), one(json!({ "target": "/host", "readonly": true }))),
        "mount at /host readonly",
        "true",
        "false",
    );
}

#[test]
fn a_missing_mount_lists_the_mounts_there_are() {
    let all = "volume webdata at /data, bind /tmp at /host, tmpfs (anonymous) at /cache";
    for (m, expected) in [
        (json!({ "target": "/x", "type": "volume", "source": "v" }), "volume v at /x"),
        (json!({ "target": "/x", "source": "v" }), "v at /x"),
        (json!({ "target": "/x", "type": "tmpfs" }), "a tmpfs at /x"),
        (json!({ "target": "/x" }), "a mount at /x"),
    ] {
        let r = eval(&swarm(), web(json!({ "mounts": [m] })));
        let f = one_failure(&r);
        assert_eq!((f.field.as_str(), f.expected.as_str(), f.found.as_str()), ("mounts", expected, all));
    }
    let r = eval(&swarm(), service_a(json!({ "name": "db", "mounts": [{ "target": "/x" }] })));
    assert_fails(&r, "mounts", "a mount at /x", "no mounts");
}

#[test]
fn mounts_exact_names_the_extra_mounts() {
    let r = eval(&swarm(), web(json!({ "mounts": [{ "target": "/data" }], "exact": ["mounts"] })));
    assert_fails(&r, "mounts", "no other mounts", "bind /tmp at /host, tmpfs (anonymous) at /cache");
    assert_pass(&eval(&swarm(), web(json!({ "mounts": [{ "target": "/data" }] }))));
}

#[test]
fn a_stack_volume_matches_its_short_name_but_a_bind_does_not() {
    let a = || service_a(json!({ "name": "shop_redis", "mounts": [{ "target": "/data", "source": "db-data" }] }));
    assert_pass(&eval(&swarm(), a()));
    let mut snap = swarm();
    let m = &mut service_mut(&mut snap, "shop_redis")
        .spec
        .as_mut()
        .unwrap()
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap()
        .mounts
        .as_mut()
        .unwrap()[0];
    m.typ = Some(MountType::BIND);
    assert_fails(&eval(&snap, a()), "mount at /data source", "db-data", "shop_db-data");
}

#[test]
fn a_mount_without_type_is_a_volume() {
    let mut snap = swarm();
    service_mut(&mut snap, "web")
        .spec
        .as_mut()
        .unwrap()
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap()
        .mounts = Some(vec![bollard::models::Mount { target: Some("/data".into()), ..Default::default() }]);
    assert_pass(&eval(&snap, web(json!({ "mounts": [{ "target": "/data", "type": "volume", "readonly": false }] }))));
    assert_fails(
        &eval(&snap, web(json!({ "mounts": [{ "target": "/y" }] }))),
        "mounts",
        "a mount at /y",
        "volume (anonymous) at /data",
    );
}

#[test]
fn endpoint_mode_vip_by_default() {
    assert_pass(&eval(&swarm(), web(json!({ "endpoint_mode": "vip" }))));
    assert_fails(&eval(&swarm(), web(json!({ "endpoint_mode": "dnsrr" }))), "endpoint mode", "dnsrr", "vip");
    assert_pass(&eval(&swarm(), service_a(json!({ "name": "unruffled_spence", "endpoint_mode": "dnsrr" }))));
    for unset in [None, Some(EndpointSpecModeEnum::EMPTY)] {
        let mut snap = swarm();
        service_mut(&mut snap, "web").spec.as_mut().unwrap().endpoint_spec.as_mut().unwrap().mode = unset;
        assert_pass(&eval(&snap, web(json!({ "endpoint_mode": "vip" }))));
    }
}

#[test]
fn constraints_ignore_spacing() {
    assert_pass(&eval(&swarm(), web(json!({ "constraints": ["node.role == manager"], "exact": ["constraints"] }))));
    assert_fails(
        &eval(&swarm(), web(json!({ "constraints": ["node.role==worker"] }))),
        "constraints",
        "node.role==worker",
        "node.role==manager",
    );
    assert_fails(
        &eval(&swarm(), web(json!({ "constraints": [], "exact": ["constraints"] }))),
        "constraints",
        "no other constraints",
        "node.role==manager",
    );
    assert_pass(&eval(&swarm(), web(json!({ "constraints": [] }))));
    let r = eval(&swarm(), service_a(json!({ "name": "db", "constraints": ["node.role==manager"] })));
    assert_fails(&r, "constraints", "node.role==manager", "no constraints");
}

#[test]
fn a_missing_service_suggests_a_close_name() {
    let all = "(services: crashy, db, shop_redis, unruffled_spence, web)";
    for (name, close) in
        [("webs", "web"), ("Web", "web"), ("crashyy", "crashy"), ("spence", "unruffled_spence"), ("dbs", "db")]
    {
        let r = eval(&swarm(), service_a(json!({ "name": name })));
        let expected = format!("a service named `{name}`");
        assert_fails(&r, "service", &expected, &format!("no such service; `{close}` looks close {all}"));
    }
    for far in ["vote", "xyz", "dbx"] {
        let r = eval(&swarm(), service_a(json!({ "name": far })));
        assert_fails(&r, "service", &format!("a service named `{far}`"), &format!("no such service {all}"));
    }
}

#[test]
fn a_stack_service_answers_to_its_short_name() {
    let r = eval(&swarm(), service_a(json!({ "name": "redis", "image": "redis:alpine" })));
    assert_pass(&r);
    assert_eq!(r.message, "passed", "a service selected by name needs no subject");
}

#[test]
fn selected_by_image_the_closest_candidate_is_graded_and_named() {
    let r = eval(&swarm(), service_a(json!({ "image": "nginx" })));
    assert_pass(&r);
    assert_eq!(r.message, "passed (service web)");
    // Two alpine services: the global one passes `mode = "global"`, crashy `replicated`.
    let r = eval(&swarm(), service_a(json!({ "image": "alpine", "mode": "global" })));
    assert_eq!(r.message, "passed (service unruffled_spence)");
    let r = eval(&swarm(), service_a(json!({ "image": "alpine", "mode": "replicated", "args": "sh *" })));
    assert_eq!(r.message, "passed (service crashy)");
    let r = eval(&swarm(), service_a(json!({ "image": "alpine", "replicas": 2 })));
    assert_eq!(r.message, "1 mismatch (service unruffled_spence)");
}

#[test]
fn selected_by_image_a_moving_candidate_wins_a_tie() {
    let mut snap = swarm();
    service_mut(&mut snap, "crashy").update_status = Some(bollard::models::ServiceUpdateStatus {
        state: Some("rollback_started".parse().unwrap()),
        ..Default::default()
    });
    // Both miss one running count; crashy is moving, so its mismatch may settle.
    let r = eval(&snap, service_a(json!({ "image": "alpine", "running": 1 })));
    assert_eq!(r.status, Status::Converging, "{r:#?}");
    assert!(r.message.starts_with("converging (service crashy)"), "{}", r.message);
}

#[test]
fn selected_by_image_with_no_candidate_lists_every_service_with_its_image() {
    let r = eval(&swarm(), service_a(json!({ "image": ["drupal", "drupal:8"] })));
    assert_fails(
        &r,
        "service",
        "a service running drupal:latest or drupal:8",
        "no such service (services: crashy (alpine:latest), db (postgres:9.4), shop_redis (redis:alpine), unruffled_spence (alpine:latest), web (nginx:latest))",
    );
}
