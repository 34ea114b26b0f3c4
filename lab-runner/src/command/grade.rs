//! `lab grade LAB --roster ROSTER --out DIR`: grade every learner's cluster of a class,
//! concurrently, and write the gradebook, grades.json, junit.xml and one feedback page per
//! learner into DIR. Progress and the summary go to stderr (a progress bar on a terminal,
//! plain lines otherwise). Exit 0 when every learner was graded, 1 when some could not be,
//! 2 for bad input (lab, roster, flags, or an output folder that cannot be written).

use super::find_lab;
use crate::args::GradeArgs;
use crate::exit::{Exit, Kind};
use lab_grader::grade::{self, ClassGrades, GradeOptions, GradeStatus, LearnerResult};
use lab_grader::CheckOptions;
use lab_schema::LabDuration;
use std::io::IsTerminal;
use std::time::Instant;

pub fn run(a: &GradeArgs) -> Exit {
    let (timeout, wait) = (a.timeout, a.wait);
    let lab = match find_lab(&a.labs, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let roster = match grade::roster::load(&a.roster) {
        Ok(r) => r,
        Err(e) => return crate::fail(Kind::BadInput, e),
    };
    let learners = match roster.resolve(&|k| std::env::var(k).ok()) {
        Ok(l) => l,
        Err(e) => return crate::fail(Kind::BadInput, e),
    };
    // Fail on an unwritable --out before spending time on grading.
    if let Err(e) =
        std::fs::create_dir_all(a.out.join("feedback")).and_then(|()| grade::atomic::remove_leftovers(&a.out).map(drop))
    {
        return crate::fail(Kind::BadInput, format!("--out {}: {e}", a.out.display()));
    }

    let opts = GradeOptions {
        jobs: a.jobs,
        timeout,
        check: CheckOptions { wait, fixes: !a.no_fixes && lab.fixes, ..Default::default() },
    };
    let total = learners.len();
    eprintln!(
        "lab grade {}: {total} learner{} from {}, up to {} at once, {} per cluster",
        lab.id,
        if total == 1 { "" } else { "s" },
        a.roster.display(),
        a.jobs.min(total),
        LabDuration(timeout)
    );
    let mut progress = Progress::new(total);
    let start = Instant::now();
    let results = crate::runtime()
        .block_on(grade::grade_class(&lab, &learners, &opts, &mut |r, done, total| progress.done(r, done, total)));
    progress.finish();
    let class = ClassGrades::new(&lab, &opts.check, results, start.elapsed().as_millis() as u64);

    let written = match class.write_to(&a.out) {
        Ok(w) => w,
        Err(e) => return crate::fail(Kind::BadInput, e),
    };
    eprintln!();
    eprint!("{}", class.summary.render());
    eprintln!(
        "wrote gradebook.csv, grades.json, junit.xml and {} feedback page{} to {}",
        written.len() - 3,
        if written.len() == 4 { "" } else { "s" },
        a.out.display()
    );
    if class.all_graded() {
        Exit::Ok
    } else {
        Exit::Failed
    }
}

/// Progress on stderr: an indicatif bar on a terminal, else one line per finished cluster.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar =
                indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len} graded or given up {elapsed} {msg}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    fn done(&mut self, r: &LearnerResult, done: usize, total: usize) {
        let secs = r.elapsed_ms as f64 / 1000.0;
        let line = if r.status == GradeStatus::Graded {
            format!("[{done}/{total}] {}: graded, {}/{} ({secs:.1}s)", r.learner, r.score, r.max_score)
        } else {
            format!("[{done}/{total}] {}: {} ({secs:.1}s): {}", r.learner, r.status, r.message)
        };
        // The message quotes the learner's engine.
        let line = lab_grader::untrusted::terminal_line(&line).into_owned();
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.set_position(done as u64);
                bar.set_message(r.learner.clone());
            }
            None => eprintln!("{line}"),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
