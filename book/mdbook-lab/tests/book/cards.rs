//! Snapshots of the card of each of the five labs, with solutions off and on. A learner
//! card must not carry a fix command or the reference answer: that is asserted here in
//! code too, not just left to snapshot review.

use crate::harness::labs;
use lab_schema::Lab;
use mdbook_lab::card::escape_html;
use mdbook_lab::{render_card, CardOptions};

fn card(lab: &Lab, solutions: bool) -> String {
    render_card(lab, None, CardOptions { solutions, smart_punctuation: true })
}

#[test]
fn the_workbook_has_the_five_day6_labs() {
    let ids: Vec<String> = labs().into_iter().map(|l| l.id).collect();
    assert_eq!(
        ids,
        ["day6-first-service", "day6-overlay-drupal", "day6-routing-mesh", "day6-three-node-swarm", "day6-voting-app"]
    );
}

#[test]
fn card_snapshots_learner_and_instructor() {
    for lab in labs() {
        for (solutions, edition) in [(false, "learner"), (true, "instructor")] {
            insta::assert_snapshot!(format!("{}-{edition}", lab.id), card(&lab, solutions));
        }
    }
}

/// Text a learner may see anyway: the goal, the titles and the hints (some hints spell
/// out the lesson's command on purpose).
fn learner_visible(lab: &Lab) -> String {
    let mut s = format!("{}\n{}\n", lab.title, lab.goal);
    for c in &lab.checks {
        s.push_str(&format!("{}\n{}\n", c.title, c.hint));
    }
    s
}

#[test]
fn a_learner_card_has_no_fix_command_and_no_answer() {
    for lab in labs() {
        let html = card(&lab, false);
        let visible = learner_visible(&lab);
        for c in &lab.checks {
            if !visible.contains(c.fix.trim()) {
                assert!(!html.contains(&escape_html(c.fix.trim())), "{}: fix of {} leaked:\n{html}", lab.id, c.id);
            }
        }
        for step in &lab.answer.steps {
            if !visible.contains(&step.command) {
                assert!(!html.contains(&escape_html(&step.command)), "{}: answer line {step} leaked:\n{html}", lab.id);
            }
        }
        assert!(!html.contains(&escape_html(&lab.answer.to_shell())), "{}: the answer leaked", lab.id);
        for marker in [r#"class="lab-fix""#, r#"class="lab-answer""#, "Reference answer", "instructor edition"] {
            assert!(!html.contains(marker), "{}: {marker} in a learner card", lab.id);
        }
    }
}

#[test]
fn an_instructor_card_has_every_fix_and_the_answer() {
    for lab in labs() {
        let html = card(&lab, true);
        for c in &lab.checks {
            assert!(html.contains(&escape_html(c.fix.trim())), "{}: no fix for {}", lab.id, c.id);
        }
        assert!(html.contains(&escape_html(&lab.answer.to_shell())), "{}: no answer", lab.id);
    }
}

#[test]
fn a_card_lists_every_check_with_points_hint_and_total() {
    for lab in labs() {
        let html = card(&lab, false);
        assert!(html.contains(&format!("lab check {}", lab.id)));
        assert_eq!(html.matches(r#"<li class="lab-check" "#).count(), lab.checks.len());
        assert_eq!(html.matches("<summary>Hint</summary>").count(), lab.checks.len() + lab.drills.len());
        for c in &lab.checks {
            assert!(html.contains(&format!(r#"id="lab-{}-{}""#, lab.id, c.id)));
            assert!(html.contains(&format!("{} point", c.points)));
        }
        assert!(html.contains(&format!("{} points", lab.max_score())));
    }
}

#[test]
fn a_card_shows_the_drills_under_their_own_heading() {
    for lab in labs() {
        let html = card(&lab, false);
        assert_eq!(html.matches(r#"<li class="lab-drill" "#).count(), lab.drills.len(), "{}", lab.id);
        assert_eq!(html.contains(&format!("lab drill {}", lab.id)), !lab.drills.is_empty(), "{}", lab.id);
        for d in &lab.drills {
            assert!(html.contains(&format!(r#"id="lab-{}-drill-{}""#, lab.id, d.id)), "{}: {}", lab.id, d.id);
        }
    }
    let voting = labs().into_iter().find(|l| l.id == "day6-voting-app").unwrap();
    let html = card(&voting, false);
    let drills = html.find("Drills").expect("a Drills heading");
    assert!(drills > html.find("Total").unwrap() && drills < html.find("Grade your work").unwrap());
    assert!(html.contains("answers ≥ 99% of requests on port 80"), "{html}");
    assert!(html.contains("informational"), "db-node-drained is informational");
}
