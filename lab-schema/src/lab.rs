//! A lab and its checks, as the runner and the book use them (validated), and the raw
//! serde layer the TOML file is first read into (with spans for diagnostics).

use crate::assertion::*;
use crate::drill::{Drill, RawDrill};
use crate::duration::LabDuration;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use toml::Spanned;

/// A validated lab definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lab {
    pub id: String,
    pub title: String,
    /// The book chapter the lab belongs to (`first-service.md`).
    pub lesson: String,
    /// What the learner builds, in Markdown.
    pub goal: String,
    /// The reference answer: the lesson's commands, in order.
    pub answer: Answer,
    pub checks: Vec<Check>,
    /// The lab's drills (`[[drill]]` tables): faults `lab drill` injects and measures.
    pub drills: Vec<Drill>,
    /// `lab check --fix` may show fix commands (`fixes = false` in the file: an
    /// instructor's graded assignment, hints only).
    pub fixes: bool,
    /// Where the definition was read from.
    #[serde(skip)]
    pub source: PathBuf,
}

impl Lab {
    pub fn max_score(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
    pub fn drill(&self, id: &str) -> Option<&Drill> {
        self.drills.iter().find(|d| d.id == id)
    }
}

/// One graded check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub points: u32,
    pub assertion: Assertion,
    /// Markdown shown when the check fails.
    pub hint: String,
    /// A command the learner can run to fix it.
    pub fix: String,
    /// How long this check may take to converge before it counts as failed.
    pub wait: Option<LabDuration>,
}

/// The reference answer: shell lines, each optionally run on a named node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub steps: Vec<AnswerStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerStep {
    /// `None`: the node the learner works on (node1); `Some("node2")` for `node2$ …` lines.
    pub node: Option<String>,
    pub command: String,
}

impl Answer {
    /// Parses answer text: one command per line; `#` comments and blank lines are skipped;
    /// a `node2$ ` prefix names the node; a leading `$ ` is allowed and dropped.
    pub fn parse(text: &str) -> Answer {
        let steps = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| match l.split_once("$ ") {
                Some(("", cmd)) => AnswerStep { node: None, command: cmd.trim().to_string() },
                Some((prefix, cmd)) if prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                    AnswerStep { node: Some(prefix.to_string()), command: cmd.trim().to_string() }
                }
                _ => AnswerStep { node: None, command: l.to_string() },
            })
            .collect();
        Answer { steps }
    }

    /// The answer as a learner would type it (with `nodeN$ ` prefixes where needed).
    pub fn to_shell(&self) -> String {
        self.steps
            .iter()
            .map(|s| match &s.node {
                Some(n) => format!("{n}$ {}", s.command),
                None => s.command.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn is_multi_node(&self) -> bool {
        self.steps.iter().any(|s| s.node.is_some())
    }
}

/// The file as serde reads it, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLab {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub lesson: Spanned<String>,
    pub goal: Spanned<String>,
    pub answer: Spanned<String>,
    pub fixes: Option<bool>,
    #[serde(rename = "check", default)]
    pub checks: Vec<Spanned<RawCheck>>,
    #[serde(rename = "drill", default)]
    pub drills: Vec<Spanned<RawDrill>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCheck {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub points: Spanned<i64>,
    pub hint: Spanned<String>,
    pub fix: Spanned<String>,
    pub wait: Option<LabDuration>,
    pub swarm: Option<Spanned<SwarmAssertion>>,
    pub node: Option<Spanned<NodeAssertion>>,
    pub service: Option<Spanned<ServiceAssertion>>,
    pub tasks: Option<Spanned<TasksAssertion>>,
    pub network: Option<Spanned<NetworkAssertion>>,
    pub volume: Option<Spanned<VolumeAssertion>>,
    pub secret: Option<Spanned<ObjectAssertion>>,
    pub config: Option<Spanned<ObjectAssertion>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_lines_keep_order_and_nodes() {
        let a = Answer::parse(
            "# set up\ndocker network create -d overlay backend\n\nnode2$ docker swarm join x\n$ docker node ls\n",
        );
        assert_eq!(a.steps.len(), 3);
        assert_eq!(a.steps[0].node, None);
        assert_eq!(a.steps[1].node.as_deref(), Some("node2"));
        assert_eq!(a.steps[2].command, "docker node ls");
        assert!(a.is_multi_node());
    }

    #[test]
    fn a_dollar_inside_a_command_is_not_a_prompt() {
        let a = Answer::parse("docker service update --replicas 3 \"$(docker service ls -q)\"");
        assert_eq!(a.steps[0].node, None);
        assert!(a.steps[0].command.starts_with("docker service update"));
    }
}
