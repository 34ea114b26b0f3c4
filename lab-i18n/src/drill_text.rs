//! A drill in words: the fault it injects and what it expects, in a language. The card in
//! the book and `lab drill`'s report say the same thing, so both take it from here.

use crate::words;
use crate::Language;
use lab_schema::{Drill, Fault};

/// What the drill does to the swarm (`a container of vote is removed`).
pub fn fault(drill: &Drill, lang: Language) -> String {
    let service = target(drill);
    let template = match (drill.fault, drill.service.is_some() || drill.image.is_some()) {
        (Fault::KillTask, _) => words::FAULT_KILL_TASK,
        (Fault::RollingUpdate, _) => words::FAULT_ROLLING_UPDATE,
        (Fault::NodeDown, true) => words::FAULT_NODE_DOWN_SERVICE,
        (Fault::NodeDown, false) => words::FAULT_NODE_DOWN,
        (Fault::ManagerLoss, _) => words::FAULT_MANAGER_LOSS,
        (Fault::NodeDrained, _) => words::FAULT_NODE_DRAINED,
    };
    lang.fill(template, &[("service", &service)])
}

/// The service the drill acts on, as a person would name it: its name, or its image.
pub fn target(drill: &Drill) -> String {
    match (&drill.service, &drill.image) {
        (Some(name), _) => name.clone(),
        (None, Some(image)) => image.to_string(),
        (None, None) => String::new(),
    }
}

/// Each expectation of the drill in words, in the order of the file's `expect` table.
pub fn expected(drill: &Drill, lang: Language) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = &drill.expect.recovery {
        let service_level = drill.service.is_some() || drill.image.is_some();
        let template = if service_level { words::EXPECT_RECOVERY } else { words::EXPECT_NODE_RECOVERY };
        out.push(lang.fill(template, &[("duration", r)]));
    }
    if let (Some(a), Some(p)) = (drill.expect.availability, &drill.probe) {
        out.push(lang.fill(words::EXPECT_AVAILABILITY, &[("share", &share(a)), ("port", &p.port)]));
    }
    if let Some(q) = drill.expect.quorum {
        out.push(lang.tr(if q { words::EXPECT_QUORUM } else { words::EXPECT_NO_QUORUM }).into_owned());
    }
    if let Some(d) = &drill.data {
        out.push(lang.fill(words::EXPECT_DATA, &[("counts", &d.counts), ("service", &d.service)]));
    }
    out
}

/// A share as a person reads it: `≥ 99%`, `100%`.
pub fn share(a: f64) -> String {
    let pct = a * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("≥ {}%", pct.round())
    } else {
        format!("≥ {pct:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote_drill() -> Drill {
        let lab = lab_schema::load_str(
            std::path::Path::new("x.toml"),
            r#"
id = "x"
title = "t"
lesson = "l.md"
goal = "g"
answer = "docker service create --name vote nginx"
[[check]]
id = "vote"
title = "t"
points = 100
hint = "h"
fix = "f"
[check.service]
name = "vote"
[[drill]]
id = "rolling-update"
title = "t"
fault = "rolling-update"
service = "vote"
probe = { port = 80 }
expect = { recovery = "60s", availability = 0.99 }
hint = "h"
"#,
        )
        .unwrap();
        lab.drills[0].clone()
    }

    #[test]
    fn a_drill_reads_as_its_fault_and_expectations() {
        let d = vote_drill();
        let en = Language::english();
        assert_eq!(fault(&d, en), "vote is updated (forced: same spec, new tasks)");
        assert_eq!(expected(&d, en), ["back to its replicas within 1m", "answers ≥ 99% of requests on port 80"]);
    }

    #[test]
    fn shares_round_only_when_whole() {
        assert_eq!(share(0.99), "≥ 99%");
        assert_eq!(share(1.0), "≥ 100%");
        assert_eq!(share(0.995), "≥ 99.5%");
    }
}
