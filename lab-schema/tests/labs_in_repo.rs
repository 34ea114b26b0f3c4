//! The labs shipped in `labs/` all load, and keep the promises the course makes of them.

use lab_schema::{load_dir, Assertion};
use std::path::Path;

fn labs() -> Vec<lab_schema::Lab> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs");
    match load_dir(&dir) {
        Ok(l) => l,
        Err(errs) => panic!("{}", errs.iter().map(|e| e.one_line_each()).collect::<Vec<_>>().join("\n")),
    }
}

#[test]
fn the_five_day6_labs_load_and_score_100() {
    let labs = labs();
    let ids: Vec<&str> = labs.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        ["day6-first-service", "day6-overlay-drupal", "day6-routing-mesh", "day6-three-node-swarm", "day6-voting-app"]
    );
    for l in &labs {
        assert_eq!(l.max_score(), 100, "{}", l.id);
        assert!(!l.answer.steps.is_empty(), "{} has an answer", l.id);
    }
}

#[test]
fn voting_app_checks_every_service_network_and_volume() {
    let labs = labs();
    let lab = labs.iter().find(|l| l.id == "day6-voting-app").unwrap();
    let mut services = vec![];
    let mut networks = vec![];
    let mut volumes = vec![];
    for c in &lab.checks {
        match &c.assertion {
            Assertion::Service(s) => {
                services.push(s.name.clone().unwrap());
                assert!(s.exact.contains(&lab_schema::ExactField::Networks), "{}: network membership is exact", c.id);
            }
            Assertion::Network(n) => networks.push(n.name.clone()),
            Assertion::Volume(v) => volumes.push(v.name.clone()),
            _ => {}
        }
    }
    services.sort();
    assert_eq!(services, ["db", "redis", "result", "vote", "worker"]);
    assert_eq!(networks.len(), 2);
    assert_eq!(volumes, ["db-data"]);
}
