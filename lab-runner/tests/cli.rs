//! The command line itself, with no engine: bad values are exit 2 naming the flag before
//! anything starts, `--only` takes one value so the lab may come anywhere, errors are JSON
//! under `--format json`, completions parse, `lab list` follows the book, `--color` works.
//! Each run is a fresh `lab` process with a private SWARM_LAB_HOME and no docker
//! environment, so nothing here can reach an engine or a practice swarm.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// One `lab` run: `Lab::new(&["check", …]).env(…).run()`.
struct Lab {
    cmd: Command,
    home: tempfile::TempDir,
}

impl Lab {
    fn new(args: &[&str]) -> Lab {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lab"));
        cmd.args(args)
            .env("SWARM_LAB_HOME", home.path())
            .env("XDG_STATE_HOME", home.path())
            .env("DOCKER_CONFIG", home.path().join("docker-config"))
            .env("DOCKER_HOST", "unix:///nonexistent/lab-cli-test.sock")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("SWARM_LAB_LABS")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .stdin(Stdio::null());
        Lab { cmd, home }
    }

    fn env(mut self, k: &str, v: &str) -> Lab {
        self.cmd.env(k, v);
        self
    }

    fn run(mut self) -> Ran {
        let out = self.cmd.output().unwrap();
        Ran { out, home: self.home }
    }
}

struct Ran {
    out: Output,
    home: tempfile::TempDir,
}

impl Ran {
    fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).to_string()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).to_string()
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.out.stdout)
            .unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {}\nstderr: {}", self.stdout(), self.stderr()))
    }
    /// Nothing was created under SWARM_LAB_HOME: no practice swarm was started.
    fn started_nothing(&self) -> bool {
        std::fs::read_dir(self.home.path()).unwrap().next().is_none()
    }
}

#[test]
fn bad_values_are_exit_2_naming_the_flag_before_anything_starts() {
    let cases: &[(&[&str], &str)] = &[
        (&["check", "day6-voting-app", "--timeout", "0"], "'--timeout <DURATION>'"),
        (&["check", "day6-voting-app", "--wait", "soon"], "'--wait <DURATION>'"),
        (&["check", "day6-voting-app", "--wait", "30"], "needs a unit"),
        (&["check", "day6-voting-app", "-H", "http://127.0.0.1:2375"], "'--host <HOST>'"),
        (&["check", "day6-voting-app", "-H", "tcp://127.0.0.1"], "needs a host and a port"),
        (&["check", "day6-voting-app", "-H", "unix:///x.sock", "--context", "c"], "--context"),
        (&["check", "day6-voting-app", "--only", "vote", "--skip", "vote"], "both --only and --skip"),
        (&["cluster", "up", "--nodes", "0"], "'--nodes <NODES>'"),
        (&["cluster", "up", "--nodes", "21"], "give 1 to 20"),
        (&["cluster", "up", "--nodes", "2", "--managers", "3"], "--managers 3 is more than --nodes 2"),
        (&["cluster", "up", "--managers", "0"], "'--managers <MANAGERS>'"),
        (&["demo", "--nodes", "0"], "'--nodes <NODES>'"),
        (&["grade", "day6-voting-app", "--roster", "r.csv", "--out", "o", "--jobs", "0"], "'--jobs <N>'"),
        (&["grade", "day6-voting-app", "--roster", "r.csv", "--out", "o", "--timeout", "0s"], "'--timeout <DURATION>'"),
        (&["grade", "day6-voting-app", "--roster", "r.csv", "--out", "o", "--wait", "1m"], "--wait 1m must be shorter"),
        (&["grade", "day6-voting-app", "--roster", "r.csv", "--out", "o", "-H", "unix:///x"], "'-H'"),
        (&["list", "--host", "unix:///x.sock"], "'--host'"),
        (&["cluster", "status", "--labs", "labs"], "'--labs'"),
    ];
    for (args, says) in cases {
        let r = Lab::new(args).run();
        assert_eq!(r.code(), 2, "{args:?}: {}", r.stderr());
        assert!(r.stderr().contains(says), "{args:?} should name {says}: {}", r.stderr());
        assert!(!r.stderr().contains("Starting"), "{args:?} started something: {}", r.stderr());
        assert!(r.started_nothing(), "{args:?} left files in SWARM_LAB_HOME");
        assert!(r.stdout().is_empty(), "{args:?}: {}", r.stdout());
    }
}

#[test]
fn skipping_every_check_is_a_usage_error() {
    let ids = ["ping-service", "scaled-to-3", "task-replaced"];
    let mut args = vec!["check", "day6-first-service"];
    for id in ids {
        args.extend(["--skip", id]);
    }
    let r = Lab::new(&args).run();
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("--skip leaves no check of day6-first-service"), "{}", r.stderr());
    // One fewer is fine: it gets as far as the (missing) engine.
    let r = Lab::new(&args[..args.len() - 2]).run();
    assert_eq!(r.code(), 3, "{}", r.stderr());
}

#[test]
fn only_takes_one_value_so_the_lab_may_come_after_it() {
    for args in [
        &["check", "--only", "vote", "day6-voting-app"][..],
        &["check", "--only", "vote", "--only", "db", "day6-voting-app"],
        &["check", "day6-voting-app", "--only", "vote"],
    ] {
        let r = Lab::new(args).run();
        // Parsed, the lab found, the checks known: it stops at the engine, which is not there.
        assert_eq!(r.code(), 3, "{args:?}: {}", r.stderr());
        assert!(r.stderr().contains("lab-cli-test.sock"), "{args:?}: {}", r.stderr());
    }
    let r = Lab::new(&["check", "--only", "votes", "day6-voting-app"]).run();
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("--only votes: lab day6-voting-app has no check `votes`. Did you mean `vote`?"));
}

#[test]
fn under_format_json_every_error_is_a_json_object_on_stdout_with_the_same_exit_code() {
    let cases: &[(&[&str], i32, &str, &str)] = &[
        (&["check", "no-such-lab", "--format", "json"], 2, "unknown_lab", "unknown lab `no-such-lab`"),
        (&["check", "day6-votingapp", "--format=json"], 2, "unknown_lab", "Did you mean `day6-voting-app`?"),
        (&["check", "day6-voting-app", "--format", "json", "--timeout", "0"], 2, "usage", "--timeout"),
        (&["check", "day6-voting-app", "--format", "json", "--only", "x", "--skip", "x"], 2, "usage", "both"),
        (&["check", "day6-voting-app", "--format", "json", "--only", "nope"], 2, "usage", "no check `nope`"),
        (&["check", "day6-voting-app", "--format", "json"], 3, "unreachable", "lab-cli-test.sock"),
    ];
    for (args, code, kind, says) in cases {
        let r = Lab::new(args).run();
        assert_eq!(r.code(), *code, "{args:?}: {}", r.stderr());
        let v = r.json();
        assert_eq!(v["error"]["kind"], *kind, "{args:?}: {v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{args:?}: {msg}");
        assert_eq!(v.as_object().unwrap().len(), 1, "only the error: {v}");
    }
    // Without --format json, stdout stays empty and the error goes to stderr.
    let r = Lab::new(&["check", "no-such-lab"]).run();
    assert_eq!((r.code(), r.stdout().as_str()), (2, ""));
    assert!(r.stderr().starts_with("lab: error: unknown lab"), "{}", r.stderr());
}

/// Regression: a usage error was told for a person when `--format json` came after an
/// unknown flag (the first, lenient reading of the line stopped at that flag).
#[test]
fn a_usage_error_is_json_wherever_format_json_stands() {
    let cases: &[(&[&str], &str)] = &[
        (&["check", "day6-voting-app", "--bogus", "--format", "json"], "'--bogus'"),
        (&["check", "day6-voting-app", "--format", "json", "--bogus"], "'--bogus'"),
        (&["check", "--bogus", "day6-voting-app", "--format=json"], "'--bogus'"),
        (&["check", "day6-voting-app", "-z", "--format", "json"], "'-z'"),
        (&["check", "day6-voting-app", "extra", "--format", "json"], "'extra'"),
        (&["check", "day6-voting-app", "--timeout", "0", "--format", "json"], "--timeout"),
        (&["check", "day6-voting-app", "--format", "json", "--wait", "soon"], "--wait"),
        (&["check", "day6-voting-app", "--format", "xml", "--bogus"], "'--bogus'"),
        (&["cluster", "status", "--bogus", "--format", "json"], "'--bogus'"),
        (&["drill", "day6-voting-app", "--bogus", "--format", "json"], "'--bogus'"),
    ];
    for (args, says) in cases {
        let r = Lab::new(args).run();
        assert_eq!(r.code(), 2, "{args:?}: {}", r.stderr());
        if !args.contains(&"json") && !args.contains(&"--format=json") {
            assert!(r.stdout().is_empty() && r.stderr().contains(says), "{args:?}: {}", r.stderr());
            continue;
        }
        let v = r.json();
        assert_eq!(v["error"]["kind"], "usage", "{args:?}: {v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{args:?}: {msg}");
        assert!(r.stderr().is_empty(), "{args:?}: {}", r.stderr());
        assert!(r.started_nothing(), "{args:?} left files in SWARM_LAB_HOME");
    }
}

#[test]
fn engine_errors_carry_no_library_jargon() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("nobody-listens.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    drop(listener); // the socket file stays, nothing accepts: connection refused
    let r = Lab::new(&["check", "day6-voting-app", "-H", &format!("unix://{}", sock.display())]).run();
    assert_eq!(r.code(), 3, "{}", r.stderr());
    let err = r.stderr();
    assert!(err.contains("connection refused: nothing is listening at that address"), "{err}");
    for jargon in ["hyper", "legacy client", "client error", "os error"] {
        assert!(!err.contains(jargon), "`{jargon}` in: {err}");
    }
}

#[test]
fn completions_are_printed_for_each_shell_and_bash_parses_them() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = Lab::new(&["completions", shell]).run();
        assert_eq!(r.code(), 0, "{shell}: {}", r.stderr());
        let script = r.stdout();
        for word in ["check", "cluster", "only", "format"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lab.bash");
    std::fs::write(&file, Lab::new(&["completions", "bash"]).run().stdout()).unwrap();
    let parsed = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(parsed.status.success(), "{}", String::from_utf8_lossy(&parsed.stderr));
    let r = Lab::new(&["completions", "tcsh"]).run();
    assert_eq!(r.code(), 2);
}

#[test]
fn list_follows_the_books_chapter_order() {
    let r = Lab::new(&["list"]).run();
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let summary =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../book/src/SUMMARY.md")).unwrap();
    let out = r.stdout();
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 5, "{}", r.stdout());
    let mut last = 0;
    for row in &rows {
        let number: usize = row.split_whitespace().next().unwrap().parse().unwrap();
        assert!(number > last, "not in chapter order: {}", r.stdout());
        last = number;
        let chapter = summary.lines().filter(|l| l.contains("](")).nth(number - 1).unwrap();
        let title = chapter.split_once('[').unwrap().1.split_once(']').unwrap().0;
        assert!(row.contains(title), "row {row} should name chapter {title}");
    }
    assert!(rows[0].contains("day6-first-service") && rows[4].contains("day6-voting-app"), "{}", r.stdout());
}

#[test]
fn help_names_every_argument_and_keeps_engine_flags_to_engine_commands() {
    let up = Lab::new(&["cluster", "up", "--help"]).run().stdout();
    assert!(up.contains("--nodes <NODES>") && up.contains("Nodes of the practice swarm"), "{up}");
    assert!(up.contains("How many of the nodes are managers"), "{up}");
    let check = Lab::new(&["check", "--help"]).run().stdout();
    assert!(check.contains("<LAB>  The lab to grade"), "{check}");
    assert!(check.contains("--host") && check.contains("--context") && check.contains("--labs"), "{check}");
    let list = Lab::new(&["list", "--help"]).run().stdout();
    assert!(!list.contains("--host") && !list.contains("--context") && list.contains("--labs"), "{list}");
    let top = Lab::new(&["--help"]).run().stdout();
    assert!(top.contains("Exit codes:") && top.contains("completions"), "{top}");
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let red = "\u{1b}[";
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut lab = Lab::new(args);
        for (k, v) in env {
            lab = lab.env(k, v);
        }
        lab.run().stderr()
    };
    assert!(run(&["show", "nope", "--color", "always"], &[]).contains(red));
    assert!(!run(&["show", "nope", "--color", "never"], &[("CLICOLOR_FORCE", "1")]).contains(red));
    assert!(!run(&["show", "nope"], &[]).contains(red), "auto: not a terminal");
    assert!(run(&["show", "nope"], &[("CLICOLOR_FORCE", "1")]).contains(red));
    assert!(!run(&["show", "nope"], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains(red), "NO_COLOR wins");
}
