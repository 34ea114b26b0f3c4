//! `lab check LAB`: grade the swarm the docker CLI points at, and print the report.

use super::{find_lab, resolve_endpoint};
use crate::args::{CheckArgs, EngineArgs, Format};
use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_engine::{Connection, Endpoint};
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

/// `lab check` as asked, every flag checked and resolved before anything is read: the lab,
/// its selected checks and the engine, found once.
pub(crate) struct CheckConfig {
    pub ui: Ui,
    pub lab: Lab,
    pub endpoint: Endpoint,
    /// How the engine was asked for: a failure may then name the practice swarm instead.
    pub engine: EngineArgs,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub wait: Option<Duration>,
    pub timeout: Duration,
    pub fix: bool,
    pub watch: bool,
    pub format: Format,
    /// Remember a full score in the learner's progress: not for `lab demo` (it applies the
    /// reference answer itself), nor with --only/--skip (a part of a lab is not completion).
    pub record: bool,
}

impl CheckConfig {
    /// `lab check`'s flags, checked in this order: the rules that tie flags together, the
    /// engine, the lab, the checks --only/--skip name. Errors are reported.
    pub fn new(a: &CheckArgs, ui: &Ui) -> Result<CheckConfig, Exit> {
        flag_rules(a, ui.lang).map_err(|msg| crate::usage_fail(ui, &msg))?;
        let endpoint = resolve_endpoint(ui, &a.engine)?;
        let lab = find_lab(ui, &a.labs, &a.lab)?;
        selection(ui.lang, &lab, &a.only, &a.skip).map_err(|msg| ui.fail(Kind::Usage, msg))?;
        Ok(CheckConfig {
            ui: *ui,
            lab,
            endpoint,
            engine: a.engine.clone(),
            only: a.only.clone(),
            skip: a.skip.clone(),
            wait: a.wait,
            timeout: a.timeout,
            fix: a.fix,
            watch: a.watch,
            format: a.format,
            record: a.only.is_empty() && a.skip.is_empty(),
        })
    }

    /// `lab demo`'s check of the practice swarm it made (`endpoint`, node 1 with its TLS
    /// files): the whole lab, re-read for up to 90 s while it converges, not recorded.
    pub fn for_demo(ui: &Ui, lab: Lab, endpoint: Endpoint) -> CheckConfig {
        CheckConfig {
            ui: *ui,
            lab,
            endpoint,
            engine: EngineArgs::default(),
            only: Vec::new(),
            skip: Vec::new(),
            wait: Some(Duration::from_secs(90)),
            timeout: Duration::from_secs(30),
            fix: false,
            watch: false,
            format: Format::Human,
            record: false,
        }
    }
}

/// The rules that tie `lab check`'s flags together; a message naming the flags when one is broken.
fn flag_rules(a: &CheckArgs, lang: Language) -> Result<(), String> {
    if let Some(id) = a.only.iter().find(|id| a.skip.contains(id)) {
        return Err(lang.fill(words::ONLY_AND_SKIP, &[("id", id)]));
    }
    if a.watch && a.format == Format::Junit {
        return Err(lang.tr(words::WATCH_JUNIT).into_owned());
    }
    Ok(())
}

/// `lab check`: grade the lab on the engine, print the report.
pub fn run(c: &CheckConfig) -> Exit {
    let (ui, lab, endpoint) = (&c.ui, &c.lab, &c.endpoint);
    if c.watch {
        let opts = lab_grader::WatchOptions {
            only: c.only.clone(),
            skip: c.skip.clone(),
            timeout: c.timeout,
            lang: ui.lang,
            ..Default::default()
        };
        return super::watch::run(ui, lab, (&c.engine, endpoint), opts, c.format, c.record);
    }
    let opts = CheckOptions {
        wait: c.wait,
        only: c.only.clone(),
        skip: c.skip.clone(),
        on_wait: Some(show_wait),
        fixes: (c.fix && lab.fixes).then_some(lab_fix::PLAN),
        lang: ui.lang,
        ..Default::default()
    };
    let result = crate::single_thread_runtime().block_on(async {
        let conn = Connection::open(endpoint, c.timeout).await?;
        check_lab(lab, &conn, &opts).await
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
            let msg = crate::runtime().block_on(crate::practice_engine::with_hint(lang, msg, &c.engine, endpoint, &e));
            return ui.fail(Kind::from(&e), msg);
        }
    };
    if c.record {
        record_progress(ui, &report);
    }
    let no_fixes = c.fix && !lab.fixes;
    let file = lab.source.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_else(|| lab.id.clone());
    let why = ui.lang.fill(words::NO_FIXES, &[("file", &file)]);
    match c.format {
        Format::Human => {
            let style = human::Style { color: ui.stdout_color() };
            print!("{}", human::render_in(&report, style, ui.lang));
            if no_fixes {
                println!("{why}");
            } else if !c.fix && lab.fixes && report.count(Status::Fail) > 0 {
                let command = format!("{} check {} --fix", crate::me(), lab.id);
                println!("{}", ui.lang.fill(words::STUCK, &[("command", &command)]));
            }
        }
        Format::Json => println!("{}", lab_engine::untrusted::json(&report, true)),
        Format::Junit => println!("{}", junit::render(&report)),
    }
    if no_fixes && c.format != Format::Human {
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
    fn cross_flag_rules_name_both_flags() {
        use crate::args::{Cli, Command};
        use clap::Parser;
        let rules = |args: &[&str]| {
            let Command::Check(a) = Cli::try_parse_from(args).unwrap().command else { panic!("not check") };
            super::flag_rules(&a, lab_i18n::Language::english())
        };
        assert!(rules(&["lab", "check", "x", "--only", "a", "--skip", "a"])
            .unwrap_err()
            .contains("both --only and --skip"));
        assert!(rules(&["lab", "check", "x", "--watch", "--format", "junit"]).is_err());
        assert!(rules(&["lab", "check", "x", "--only", "a", "--skip", "b"]).is_ok());
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
