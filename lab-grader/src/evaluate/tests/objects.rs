//! Network, volume, secret and config assertions.

use super::*;
use serde_json::json;

#[test]
fn an_overlay_network_with_its_options() {
    let front = json!({ "name": "front", "driver": "overlay", "scope": "swarm", "encrypted": true, "attachable": true, "internal": false });
    assert_pass(&eval(&swarm(), network_a(front)));
    assert_pass(&eval(
        &swarm(),
        network_a(json!({ "name": "private", "internal": true, "encrypted": false, "attachable": false })),
    ));
    assert_pass(&eval(&swarm(), network_a(json!({ "name": "backend", "driver": "overlay" }))));
}

#[test]
fn network_options_that_differ() {
    let s = swarm();
    let cases = [
        (json!({ "name": "front", "driver": "bridge" }), "driver", "bridge", "overlay"),
        (json!({ "name": "front", "scope": "local" }), "scope", "local", "swarm"),
        (json!({ "name": "front", "encrypted": false }), "encrypted", "no", "yes"),
        (json!({ "name": "private", "encrypted": true }), "encrypted", "yes", "no"),
        (json!({ "name": "front", "attachable": false }), "attachable", "no", "yes"),
        (json!({ "name": "private", "attachable": true }), "attachable", "yes", "no"),
        (json!({ "name": "private", "internal": false }), "internal", "no", "yes"),
        (json!({ "name": "front", "internal": true }), "internal", "yes", "no"),
    ];
    for (a, field, expected, found) in cases {
        let r = eval(&s, network_a(a));
        let m = one_failure(&r);
        assert_eq!((m.field.as_str(), m.expected.as_str(), m.found.as_str()), (field, expected, found));
    }
}

#[test]
fn encrypted_false_in_the_options_is_not_encrypted() {
    let mut s = swarm();
    let front = s.networks.iter_mut().find(|n| n.name.as_deref() == Some("front")).unwrap();
    front.options.as_mut().unwrap().insert("encrypted".into(), "false".into());
    assert_pass(&eval(&s, network_a(json!({ "name": "front", "encrypted": false }))));
    front_fields_missing(&mut s);
    assert_pass(&eval(
        &s,
        network_a(json!({ "name": "front", "encrypted": false, "attachable": false, "internal": false })),
    ));
    assert_fails(&eval(&s, network_a(json!({ "name": "front", "driver": "overlay" }))), "driver", "overlay", "");
    assert_fails(&eval(&s, network_a(json!({ "name": "front", "scope": "swarm" }))), "scope", "swarm", "");
}

fn front_fields_missing(s: &mut Snapshot) {
    let front = s.networks.iter_mut().find(|n| n.name.as_deref() == Some("front")).unwrap();
    front.options = None;
    front.attachable = None;
    front.internal = None;
    front.driver = None;
    front.scope = None;
}

#[test]
fn a_missing_network_lists_the_learners_networks_only() {
    let r = eval(&swarm(), network_a(json!({ "name": "frontend" })));
    assert_fails(
        &r,
        "network",
        "a network named `frontend`",
        "no such network (your networks: front, private, shop_backend)",
    );
}

#[test]
fn of_two_networks_with_one_name_the_closer_is_graded() {
    let mut s = swarm();
    let mut twin = s.networks.iter().find(|n| n.name.as_deref() == Some("front")).unwrap().clone();
    twin.driver = Some("bridge".into());
    twin.scope = Some("local".into());
    s.networks.insert(0, twin);
    assert_pass(&eval(&s, network_a(json!({ "name": "front", "driver": "overlay", "scope": "swarm" }))));
    assert_pass(&eval(&s, network_a(json!({ "name": "front", "driver": "bridge", "scope": "local" }))));
    let r = eval(&s, network_a(json!({ "name": "front", "driver": "bridge", "scope": "swarm" })));
    assert_eq!(r.mismatches.len(), 1, "{r:#?}");
}

#[test]
fn a_volume_on_this_node() {
    assert_pass(&eval(&swarm(), volume_a(json!({ "name": "webdata", "driver": "local" }))));
    assert_fails(&eval(&swarm(), volume_a(json!({ "name": "webdata", "driver": "nfs" }))), "driver", "nfs", "local");
    // Anonymous volumes (64-character names) are left out of the list.
    let r = eval(&swarm(), volume_a(json!({ "name": "db-data" })));
    assert_fails(&r, "volume", "a volume named `db-data` on node1", "no such volume (volumes: webdata)");
}

#[test]
fn a_volume_mounted_by_a_service_running_here_or_elsewhere() {
    assert_pass(&eval(&swarm(), volume_a(json!({ "name": "webdata", "service": "web" }))));
    // shop_redis runs on node3: its running task is the evidence that the volume exists.
    assert_pass(&eval(&swarm(), volume_a(json!({ "name": "db-data", "service": "shop_redis" }))));
    assert_pass(&eval(&swarm(), volume_a(json!({ "name": "shop_db-data", "service": "redis" }))));
}

#[test]
fn a_volume_the_service_does_not_mount() {
    let r = eval(&swarm(), volume_a(json!({ "name": "webdata", "service": "db" })));
    assert_fails(&r, "volume", "service `db` mounts volume `webdata`", "`db` mounts no volumes");
    let r = eval(&swarm(), volume_a(json!({ "name": "other", "service": "web" })));
    assert_fails(
        &r,
        "volume",
        "service `web` mounts volume `other`",
        "`web` mounts webdata at /data, /tmp at /host, (anonymous) at /cache",
    );
    // A bind mount of a path with the volume's name is not the volume.
    let mut s = swarm();
    let cs = service_mut(&mut s, "web")
        .spec
        .as_mut()
        .unwrap()
        .task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap();
    cs.mounts.as_mut().unwrap()[0].typ = Some(bollard::models::MountType::BIND);
    let r = eval(&s, volume_a(json!({ "name": "webdata", "service": "web" })));
    assert_eq!(one_failure(&r).expected, "service `web` mounts volume `webdata`");
    let r = eval(&swarm(), volume_a(json!({ "name": "webdata", "service": "nope" })));
    assert_fails(&r, "volume", "`webdata` mounted by service `nope`", "no service named `nope`");
}

#[test]
fn a_volume_missing_where_the_service_runs_here_may_settle() {
    let mut s = swarm();
    s.volumes.retain(|v| v.name != "webdata");
    let r = eval(&s, volume_a(json!({ "name": "webdata", "service": "web" })));
    assert_fails(&r, "volume", "`webdata` on node1, where `web` runs", "no such volume there (volumes: none)");
    // With no running task there is nothing to look at yet.
    let mut s = swarm();
    let id = service_mut(&mut s, "web").id.clone();
    s.tasks.retain(|t| t.service_id != id);
    let r = eval(&s, volume_a(json!({ "name": "webdata", "service": "web" })));
    assert_eq!(r.status, Status::Converging, "{r:#?}");
    assert_eq!(r.mismatches[0].found, "`web` has no running task yet");
}

#[test]
fn a_secret_given_to_a_service_at_a_target() {
    for target in [None, Some("password"), Some("/run/secrets/password")] {
        let mut a = json!({ "name": "db_pass", "service": "db" });
        if let Some(t) = target {
            a["target"] = json!(t);
        }
        assert_pass(&eval(&swarm(), secret_a(a)));
    }
    assert_pass(&eval(&swarm(), secret_a(json!({ "name": "db_pass" }))));
    let r = eval(&swarm(), secret_a(json!({ "name": "db_pass", "service": "db", "target": "other" })));
    assert_fails(&r, "secret target", "/run/secrets/other", "/run/secrets/password");
}

#[test]
fn a_missing_or_ungiven_secret() {
    let r = eval(&swarm(), secret_a(json!({ "name": "api_key" })));
    assert_fails(&r, "secret", "a secret named `api_key`", "no such secret (secrets: db_pass)");
    let r = eval(&swarm(), secret_a(json!({ "name": "db_pass", "service": "web" })));
    assert_fails(&r, "secret in web", "`db_pass` given to `web`", "`web` has no secrets");
    let r = eval(&swarm(), secret_a(json!({ "name": "db_pass", "service": "nope" })));
    assert_fails(&r, "service", "a service named `nope`", "no such service (services: crashy, db, shop_redis");
    // Missing and not given: both are said.
    let r = eval(&swarm(), secret_a(json!({ "name": "api_key", "service": "db" })));
    assert_eq!(r.mismatches.len(), 2, "{r:#?}");
    assert_eq!(r.mismatches[1].field, "secret in db");
    assert_eq!(r.mismatches[1].found, "`db` has db_pass");
}

#[test]
fn a_stack_prefixed_secret_answers_to_its_short_name() {
    assert_pass(&eval(&swarm(), secret_a(json!({ "name": "pass", "service": "db" }))));
}

#[test]
fn a_config_given_to_a_service_at_a_path() {
    for target in ["/etc/app.conf", "etc/app.conf"] {
        assert_pass(&eval(&swarm(), config_a(json!({ "name": "app_conf", "service": "db", "target": target }))));
    }
    let r = eval(&swarm(), config_a(json!({ "name": "app_conf", "service": "db", "target": "/other" })));
    assert_fails(&r, "config target", "/other", "/etc/app.conf");
    let r = eval(&swarm(), config_a(json!({ "name": "nginx_conf" })));
    assert_fails(&r, "config", "a config named `nginx_conf`", "no such config (configs: app_conf)");
    let r = eval(&swarm(), config_a(json!({ "name": "app_conf", "service": "web" })));
    assert_fails(&r, "config in web", "`app_conf` given to `web`", "`web` has no configs");
}

#[test]
fn secrets_and_configs_are_read_only_for_labs_that_check_them() {
    use crate::snapshot::Reads;
    let lab = |assertions: Vec<Assertion>| lab_schema::Lab {
        id: "l".into(),
        title: "l".into(),
        lesson: "l.md".into(),
        goal: "g".into(),
        answer: lab_schema::Answer { steps: Vec::new() },
        checks: assertions.into_iter().map(check).collect(),
        drills: Vec::new(),
        fixes: true,
        source: Default::default(),
    };
    let network = || network_a(json!({ "name": "front" }));
    let none = Reads { secrets: false, configs: false };
    assert_eq!(Reads::of(&lab(vec![network()])), none);
    assert_eq!(Reads::of(&lab(vec![network(), secret_a(json!({ "name": "pw" }))])), Reads { secrets: true, ..none });
    assert_eq!(Reads::of(&lab(vec![config_a(json!({ "name": "conf" }))])), Reads { configs: true, ..none });
    let both = lab(vec![secret_a(json!({ "name": "pw" })), config_a(json!({ "name": "conf" }))]);
    assert_eq!(Reads::of(&both), Reads::ALL);
}
