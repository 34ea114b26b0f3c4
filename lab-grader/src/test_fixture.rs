//! What the unit tests of watching and the live class grade with: a small lab `l` and
//! the reports a watch delivers for it, made by hand.

use crate::report::{CheckReport, ClusterInfo, Report, Status};
use lab_schema::Lab;

/// Lab `l`: the check `front` (an overlay network, `front_points`) and, when
/// `web_points` is given, the check `web` (a service).
pub(crate) fn lab(front_points: u32, web_points: Option<u32>) -> Lab {
    let mut text = format!(
        r#"id = "l"
title = "L"
lesson = "first-service.md"
goal = "g"
answer = "docker network create -d overlay front"
[[check]]
id = "front"
title = "front"
points = {front_points}
hint = "h"
fix = "docker network create -d overlay front"
[check.network]
name = "front"
"#
    );
    if let Some(points) = web_points {
        text.push_str(&format!(
            r#"[[check]]
id = "web"
title = "web"
points = {points}
hint = "h"
fix = "docker service create --name web alpine"
[check.service]
name = "web"
"#
        ));
    }
    lab_schema::load_str(std::path::Path::new("l.toml"), &text).unwrap()
}

/// Check `id`'s report: `status`, `points` of `max_points`, `message`.
pub(crate) fn check(id: &str, status: Status, points: u32, max_points: u32, message: String) -> CheckReport {
    CheckReport {
        id: id.into(),
        title: id.into(),
        status,
        points,
        max_points,
        message,
        hint: String::new(),
        fix: None,
        fix_note: None,
        mismatches: Vec::new(),
        cause: None,
    }
}

/// Lab `l`'s report of `checks` on `cluster`, out of 100.
pub(crate) fn report(checks: Vec<CheckReport>, cluster: ClusterInfo) -> Report {
    Report {
        lab: "l".into(),
        title: "L".into(),
        score: checks.iter().map(|c| c.points).sum(),
        max_score: 100,
        passed: checks.iter().all(|c| c.status == Status::Pass),
        cluster,
        checks,
    }
}
