//! The same checks grade the same swarm alike whatever shape the engine reports it in:
//! a 20.10 recording and its 28.x shape (images resolved to digests, newer fields).

use super::*;
use serde_json::json;

fn passing_on_the_settled_swarm() -> Vec<Assertion> {
    vec![
        swarm_a(
            json!({ "active": true, "manager": true, "nodes": 3, "ready_nodes": 3, "managers": 2, "leader": true }),
        ),
        node_a(json!({ "role": "worker", "availability": "pause", "count": 1 })),
        service_a(json!({
            "name": "web", "image": "nginx:latest", "replicas": 2, "running": 2,
            "ports": [{ "target": 80, "published": 8080 }], "networks": ["front"],
            "mounts": [{ "target": "/data", "source": "webdata", "readonly": true }],
            "constraints": ["node.role==manager"], "env": { "GREETING": "hello" }
        })),
        service_a(json!({ "image": "alpine", "mode": "global", "endpoint_mode": "dnsrr", "command": "sleep *" })),
        service_a(json!({ "name": "redis", "image": "redis:alpine", "networks": ["backend"] })),
        tasks_a(json!({ "image": "nginx", "running": 2 })),
        network_a(json!({ "name": "front", "driver": "overlay", "encrypted": true, "attachable": true })),
        volume_a(json!({ "name": "webdata", "service": "web" })),
        volume_a(json!({ "name": "db-data", "service": "redis" })),
        secret_a(json!({ "name": "db_pass", "service": "db", "target": "password" })),
        config_a(json!({ "name": "app_conf", "service": "db", "target": "/etc/app.conf" })),
    ]
}

#[test]
fn every_recording_deserialises_with_its_engine_version() {
    let versions: Vec<(String, String)> =
        all_snapshots().iter().map(|(_, s)| (s.engine_version.clone(), s.api_version.clone())).collect();
    assert_eq!(versions[0], ("20.10.24+dfsg1".to_string(), "1.41".to_string()));
    assert_eq!(versions[1], ("28.5.2".to_string(), "1.51".to_string()));
    for (name, snap) in all_snapshots() {
        assert_eq!(snap.nodes.len(), 3, "{name}");
        assert!(snap.services.len() >= 5, "{name}");
    }
}

#[test]
fn the_28_shape_pins_images_by_digest() {
    let snap = swarm_28();
    let web = snap.services.iter().find(|s| super::super::Ctx::service_name(s) == "web").unwrap();
    let image =
        web.spec.as_ref().unwrap().task_template.as_ref().unwrap().container_spec.as_ref().unwrap().image.clone();
    assert!(image.unwrap().starts_with("nginx:latest@sha256:"));
}

#[test]
fn the_same_checks_pass_on_every_engine_shape() {
    for (name, snap) in all_snapshots() {
        for a in passing_on_the_settled_swarm() {
            let r = eval(&snap, a.clone());
            assert_eq!(r.status, Status::Pass, "{name}: {a:?}\n{r:#?}");
        }
    }
}

#[test]
fn the_same_checks_fail_alike_on_every_engine_shape() {
    let failing = [
        service_a(json!({ "name": "web", "image": "nginx:1.25" })),
        service_a(json!({ "name": "web", "ports": [{ "target": 443 }] })),
        network_a(json!({ "name": "front", "internal": true })),
        node_a(json!({ "role": "manager", "count": 3 })),
    ];
    for a in failing {
        let reports: Vec<CheckReport> = all_snapshots().iter().map(|(_, s)| eval(s, a.clone())).collect();
        assert!(reports.iter().all(|r| r.status == Status::Fail), "{reports:#?}");
        assert!(reports.windows(2).all(|w| w[0].mismatches == w[1].mismatches), "{reports:#?}");
    }
}
