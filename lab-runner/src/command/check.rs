//! `lab check LAB`: grade the swarm the docker CLI points at, and print the report.

use super::{find_lab, resolve_endpoint};
use crate::args::{CheckArgs, Format};
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_engine::Connection;
use lab_grader::report::{human, junit};
use lab_grader::{check_lab, CheckOptions, Report, Status};
use lab_i18n::{words, Language};
use lab_schema::Lab;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Back to the start of the line and erase it (a terminal control, not a colour).
const CLEAR_LINE: &str = "\r\x1b[2K";

/// Progress on stderr while `lab check` re-reads the swarm: one line rewritten in place on
/// a terminal, a plain line every 10 s otherwise (logs, CI).
fn show_wait(r: &Report, elapsed: Duration, lang: Language) {
    static LAST_BUCKET: AtomicU64 = AtomicU64::new(0);
    let pending: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .map(|c| lang.fill(words::CHECK_AND_STATUS, &[("id", &c.id), ("status", &lang.tr(c.status.word()))]))
        .collect();
    let line = lang.fill(
        words::WAITING,
        &[
            ("seconds", &format!("{:.0}", elapsed.as_secs_f64())),
            ("passed", &r.count(Status::Pass)),
            ("pending", &lang.list(words::LIST, &pending)),
        ],
    );
    if std::io::stderr().is_terminal() {
        eprint!("{CLEAR_LINE}{line}");
    } else {
        let bucket = elapsed.as_secs() / 10 + 1;
        if elapsed.as_secs() >= 10 && LAST_BUCKET.swap(bucket, Ordering::Relaxed) != bucket {
            eprintln!("{line}");
        }
    }
}

pub fn run(a: &CheckArgs, ui: &Ui) -> Exit {
    run_and_record(ui, a, true)
}

/// `lab check`; `record`: remember a full score in the learner's progress (`lab demo`
/// applies the reference answer itself, so its pass is not the learner's).
pub(crate) fn run_and_record(ui: &Ui, a: &CheckArgs, record: bool) -> Exit {
    match resolve_endpoint(ui, &a.engine) {
        Ok(endpoint) => run_on(ui, a, &endpoint, record),
        Err(e) => e,
    }
}

/// `lab check` on an engine already found (`lab demo` passes its practice swarm's node 1,
/// TLS files included); `a.engine` is not read.
pub(crate) fn run_on(ui: &Ui, a: &CheckArgs, endpoint: &lab_engine::Endpoint, record: bool) -> Exit {
    let lab = match find_lab(ui, &a.labs, &a.lab) {
        Ok(l) => l,
        Err(e) => return e,
    };
    if let Err(msg) = selection(ui.lang, &lab, &a.only, &a.skip) {
        return ui.fail(Kind::Usage, msg);
    }
    // Only a whole lab counts: a pass of the checks --only/--skip leave is not completion.
    let record = record && a.only.is_empty() && a.skip.is_empty();
    if a.watch {
        let opts = lab_grader::WatchOptions {
            only: a.only.clone(),
            skip: a.skip.clone(),
            timeout: a.timeout,
            lang: ui.lang,
            ..Default::default()
        };
        return super::watch::run(ui, &lab, (&a.engine, endpoint), opts, a.format, record);
    }
    let opts = CheckOptions {
        wait: a.wait,
        only: a.only.clone(),
        skip: a.skip.clone(),
        on_wait: Some(show_wait),
        fixes: (a.fix && lab.fixes).then_some(lab_fix::PLAN),
        lang: ui.lang,
        ..Default::default()
    };
    let result = crate::runtime().block_on(async {
        let conn = Connection::open(endpoint, a.timeout).await?;
        check_lab(&lab, &conn, &opts).await
    });
    if std::io::stderr().is_terminal() {
        eprint!("{CLEAR_LINE}");
    }
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let lang = ui.lang;
            let msg =
                lang.fill(words::ENDPOINT_FROM, &[("error", &e.text(lang)), ("source", &lang.tr(&endpoint.source))]);
            let msg = crate::runtime().block_on(crate::practice_engine::with_hint(lang, msg, &a.engine, endpoint, &e));
            return ui.fail(Kind::from(&e), msg);
        }
    };
    if record {
        record_progress(ui, &report);
    }
    let no_fixes = a.fix && !lab.fixes;
    let file = lab.source.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_else(|| lab.id.clone());
    let why = ui.lang.fill(words::NO_FIXES, &[("file", &file)]);
    match a.format {
        Format::Human => {
            let style = human::Style { color: ui.stdout_color() };
            print!("{}", human::render_in(&report, style, ui.lang));
            if no_fixes {
                println!("{why}");
            } else if !a.fix && lab.fixes && report.count(Status::Fail) > 0 {
                let command = format!("{} check {} --fix", crate::me(), lab.id);
                println!("{}", ui.lang.fill(words::STUCK, &[("command", &command)]));
            }
        }
        Format::Json => println!("{}", lab_engine::untrusted::json(&report, true)),
        Format::Junit => println!("{}", junit::render(&report)),
    }
    if no_fixes && a.format != Format::Human {
        eprintln!("{why}");
    }
    if report.passed {
        Exit::Ok
    } else {
        Exit::Failed
    }
}

/// Remembers a lab that scored full marks (see `lab_grader::progress`); problems are
/// warnings, never failures of the check.
pub(crate) fn record_progress(ui: &Ui, report: &Report) {
    let path = match lab_grader::progress::default_path(&|k| std::env::var(k).ok()) {
        Ok(p) => p,
        Err(e) => return ui.warn(e),
    };
    match lab_grader::progress::record(&path, report) {
        Ok((_, Some(warning))) => ui.warn(warning),
        Ok(_) => {}
        Err(e) => ui.warn(e),
    }
}

/// Every id given to `--only`/`--skip` is a check of the lab, and at least one check is left
/// to grade; otherwise a usage message naming the ids (with a "did you mean").
fn selection(lang: Language, lab: &Lab, only: &[String], skip: &[String]) -> Result<(), String> {
    let ids: Vec<&str> = lab.checks.iter().map(|c| c.id.as_str()).collect();
    for (flag, id) in only.iter().map(|i| ("--only", i)).chain(skip.iter().map(|i| ("--skip", i))) {
        if lab.check(id).is_none() {
            return Err(lang.fill(
                words::UNKNOWN_CHECK,
                &[
                    ("flag", &flag),
                    ("id", id),
                    ("lab", &lab.id),
                    ("suggestion", &crate::catalog::did_you_mean(id, &ids, lang)),
                    ("ids", &ids.join(", ")),
                ],
            ));
        }
    }
    let left =
        ids.iter().filter(|id| (only.is_empty() || only.iter().any(|o| o == *id)) && !skip.iter().any(|s| s == *id));
    if left.count() == 0 {
        return Err(lang.fill(words::SKIP_LEAVES_NOTHING, &[("lab", &lab.id), ("ids", &ids.join(", "))]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::selection;

    fn lab() -> lab_schema::Lab {
        crate::catalog::Catalog::load(None, lab_i18n::Language::english())
            .unwrap()
            .get("day6-voting-app")
            .unwrap()
            .clone()
    }

    #[test]
    fn skipping_every_check_is_a_usage_error() {
        let lab = lab();
        let all: Vec<String> = lab.checks.iter().map(|c| c.id.clone()).collect();
        assert!(selection(lab_i18n::Language::english(), &lab, &[], &all).unwrap_err().contains("leaves no check"));
        assert!(selection(lab_i18n::Language::english(), &lab, &[], &all[1..]).is_ok());
        assert!(selection(lab_i18n::Language::english(), &lab, &all[..1], &[]).is_ok());
    }

    #[test]
    fn an_unknown_check_names_its_flag_and_the_closest_id() {
        let lab = lab();
        let id = lab.checks[0].id.clone();
        let typo = format!("{id}x");
        let e = selection(lab_i18n::Language::english(), &lab, std::slice::from_ref(&typo), &[]).unwrap_err();
        assert!(e.starts_with(&format!("--only {typo}:")) && e.contains(&format!("Did you mean `{id}`?")), "{e}");
    }
}
