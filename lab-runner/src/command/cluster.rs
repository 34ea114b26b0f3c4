//! `lab cluster up|env|shell|status|down`: the learner's practice swarm (`forward` is
//! [`super::forward`]'s). Two drivers share
//! these commands: `netns`, private Docker engines on this Linux machine (root; see
//! [`super::netns_cluster`], Linux only), and `docker`, node containers on the user's own
//! engine (see [`super::docker_cluster`]); this module picks one and holds the shell both
//! open on a node. Progress goes to stderr; `env` prints shell lines on stdout for
//! `eval "$(lab cluster env --node N)"`; `status --format json` prints `{"nodes": [...]}`
//! on stdout. Roles and readiness are always read from the engines (also when a second
//! `up` finds the swarm running), never from a state file, which only knows how the swarm
//! started.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::args::{ClusterCommand, Driver, DriverArgs};
use crate::exit::{Exit, Kind};
use lab_i18n::words;

/// The driver `up` uses when not told: netns as root on Linux, docker otherwise.
pub(crate) fn driver_for_up(asked: Option<Driver>) -> Driver {
    #[cfg(target_os = "linux")]
    let netns = super::netns_cluster::is_default();
    #[cfg(not(target_os = "linux"))]
    let netns = false;
    asked.unwrap_or(if netns { Driver::Netns } else { Driver::Docker })
}

/// The driver of the cluster `env`, `shell`, `status` and `down` act on when not told:
/// docker unless we are root on Linux; as root, netns when its practice swarm runs, else
/// docker when the user's engine has a docker-driver cluster, else netns.
fn driver_of_existing(d: &DriverArgs) -> Driver {
    if let Some(asked) = d.driver {
        return asked;
    }
    #[cfg(target_os = "linux")]
    if driver_for_up(None) == Driver::Netns
        && !super::netns_cluster::is_running()
        && super::docker_cluster::exists(&d.engine)
    {
        return Driver::Docker;
    }
    driver_for_up(None)
}

pub fn run(c: ClusterCommand) -> Exit {
    let driver = match &c {
        // Forwarding reads the swarm docker points at, whichever driver (if any) runs it.
        ClusterCommand::Forward(args) => return super::forward::run(args),
        ClusterCommand::Up(up) => driver_for_up(up.driver.driver),
        ClusterCommand::Env { driver, .. }
        | ClusterCommand::Shell { driver, .. }
        | ClusterCommand::Status { driver, .. }
        | ClusterCommand::Down { driver } => driver_of_existing(driver),
    };
    match driver {
        Driver::Docker => super::docker_cluster::run(c),
        #[cfg(target_os = "linux")]
        Driver::Netns => super::netns_cluster::run(c),
        #[cfg(not(target_os = "linux"))]
        Driver::Netns => {
            let what = crate::lang().tr(words::NETNS_DRIVER).into_owned();
            netns_needs_linux(&what, &format!("`{} cluster up --driver docker`", crate::me()))
        }
    }
}

/// Says that `what` needs the netns driver, so Linux and root, and what to do `instead` on
/// this system with the docker driver (exit 2).
#[cfg(not(target_os = "linux"))]
pub(crate) fn netns_needs_linux(what: &str, instead: &str) -> Exit {
    let values: [(&str, &dyn std::fmt::Display); 3] =
        [("what", &what), ("os", &std::env::consts::OS), ("instead", &instead)];
    crate::fail(Kind::Usage, crate::lang().fill(words::NETNS_NEEDS_LINUX, &values))
}

/// One node of `lab cluster status` (either driver's), its swarm column already worded.
pub(crate) struct StatusRow<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub swarm: String,
    pub role: &'a Option<String>,
    pub state: &'a Option<String>,
    pub availability: &'a Option<String>,
    pub manager_status: &'a Option<String>,
    pub docker_host: &'a str,
}

/// The lines of the node table: the column heads in the run's language (all in it: see
/// book/po/GLOSSARY.md), then one line per node, each column as wide as its widest cell by
/// display width; an unknown field is `-`.
pub(crate) fn status_table(rows: &[StatusRow]) -> Vec<String> {
    status_table_in(crate::lang(), rows)
}

fn status_table_in(lang: lab_i18n::Language, rows: &[StatusRow]) -> Vec<String> {
    let heads = [
        (words::STATUS_NODE, 7),
        (words::STATUS_ADDRESS, 15),
        (words::STATUS_SWARM, 9),
        (words::STATUS_ROLE, 8),
        (words::STATUS_STATE, 8),
        (words::STATUS_AVAILABILITY, 12),
        (words::STATUS_MANAGER, 12),
    ];
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.name.to_string(),
                r.address.to_string(),
                r.swarm.clone(),
                dash(r.role),
                dash(r.state),
                dash(r.availability),
                dash(r.manager_status),
            ]
        })
        .collect();
    let heads: Vec<(String, usize)> = heads
        .iter()
        .enumerate()
        .map(|(i, (w, least))| {
            let head = lang.tr(w).into_owned();
            let widest = cells.iter().map(|c| words::width(&c[i])).chain([words::width(&head), *least]).max();
            (head, widest.unwrap_or(*least))
        })
        .collect();
    let line = |cells: &[String], last: &str| -> String {
        cells.iter().zip(&heads).map(|(c, (_, width))| words::pad(c, *width) + " ").collect::<String>() + last
    };
    let mut lines = vec![line(&heads.iter().map(|(h, _)| h.clone()).collect::<Vec<_>>(), "DOCKER_HOST")];
    for (r, c) in rows.iter().zip(&cells) {
        lines.push(line(c, r.docker_host));
    }
    lines
}

/// The learner's `$SHELL`, else /bin/sh (on Windows `%COMSPEC%`, cmd.exe).
pub(crate) fn shell_program() -> String {
    let set = |var| std::env::var(var).ok().filter(|s| !s.is_empty());
    set("SHELL")
        .or_else(|| if cfg!(windows) { set("COMSPEC") } else { None })
        .unwrap_or_else(|| if cfg!(windows) { "cmd.exe" } else { "/bin/sh" }.into())
}

/// Runs `cmd` (the shell `program`, maybe wrapped) with the node's prompt and `env`, the
/// other docker variables removed; rc files for bash and zsh go to `rc_dir`.
pub(crate) fn open_shell(
    node: &str,
    mut cmd: Command,
    program: &str,
    rc_dir: &Path,
    env: &[(&str, String)],
    note: &str,
) -> Result<(), Exit> {
    let prompt = format!("{node}$ ");
    match Path::new(program).file_name().and_then(|n| n.to_str()) {
        // bash and zsh read rc files that usually set their own prompt: ours sources the
        // learner's, then sets the node's prompt.
        Some("bash") => {
            let rc = write_rc(
                rc_dir,
                &format!("{node}.bashrc"),
                &format!("[ -f ~/.bashrc ] && . ~/.bashrc\nPS1='{prompt}'\n"),
            )?;
            cmd.arg("--rcfile").arg(rc).arg("-i");
        }
        Some("zsh") => {
            let dir = rc_dir.join(format!("{node}.zsh"));
            write_rc(&dir, ".zshrc", &format!("[ -f ~/.zshrc ] && . ~/.zshrc\nPROMPT='{prompt}'\n"))?;
            cmd.env("ZDOTDIR", dir);
        }
        // Windows' cmd.exe takes its prompt from PROMPT (`$$` is a dollar sign, `$S` a space).
        Some(n) if n.eq_ignore_ascii_case("cmd.exe") => {
            cmd.env("PROMPT", format!("{node}$$$S"));
        }
        _ => {}
    }
    for var in ["DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str()))).env("PS1", &prompt).env("SWARM_LAB_NODE", node);
    let lang = crate::lang();
    eprintln!("{}", lang.fill(words::SHELL_OPENED, &[("node", &node), ("note", &note)]));
    match cmd.status() {
        Ok(_) => Ok(()),
        Err(e) => Err(crate::fail(
            Kind::BadInput,
            lang.fill(words::SHELL_CANNOT_START, &[("program", &program), ("error", &e)]),
        )),
    }
}

fn write_rc(dir: &Path, name: &str, text: &str) -> Result<PathBuf, Exit> {
    let path = dir.join(name);
    std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, text)).map_err(|e| {
        let msg = crate::lang().fill(words::CANNOT_WRITE, &[("path", &path.display()), ("error", &e)]);
        crate::fail(Kind::PracticeSwarm, msg)
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(name: &'a str, swarm: &str, manager: &'a Option<String>, none: &'a Option<String>) -> StatusRow<'a> {
        StatusRow {
            name,
            address: "10.99.0.2",
            swarm: swarm.to_string(),
            role: none,
            state: none,
            availability: none,
            manager_status: manager,
            docker_host: "unix:///x.sock",
        }
    }

    #[test]
    fn the_status_table_is_english_or_chinese_never_both_and_stays_aligned() {
        let (leader, none) = (Some("Leader".to_string()), None);
        let rows = [row("node1", "active", &leader, &none), row("node2", "inactive", &none, &none)];
        let en = status_table_in(lab_i18n::Language::english(), &rows);
        assert_eq!(en[0], "NODE    ADDRESS         SWARM     ROLE     STATE    AVAILABILITY MANAGER      DOCKER_HOST");
        assert_eq!(
            en[1],
            "node1   10.99.0.2       active    -        -        -            Leader       unix:///x.sock"
        );
        let rows = [row("node1", "active", &leader, &none), row("node2", "沒有 engine", &none, &none)];
        let zh = status_table_in(lab_i18n::Language::parse("zh-TW").unwrap(), &rows);
        for english in ["NODE", "ADDRESS", "SWARM ", "ROLE", "STATE", "AVAILABILITY", "MANAGER "] {
            assert!(!zh[0].contains(english), "{english} in the zh-TW head: {}", zh[0]);
        }
        assert!(zh[0].starts_with("名稱") && zh[0].contains("位址") && zh[0].ends_with("DOCKER_HOST"), "{}", zh[0]);
        // A column starts at the same display column in the head and in each row.
        let at = |line: &str, text: &str| line.find(text).map(|i| words::width(&line[..i]));
        assert_eq!(at(&zh[0], "Manager"), at(&zh[1], "Leader"), "misaligned:\n{}\n{}", zh[0], zh[1]);
        for line in &zh[1..] {
            assert_eq!(at(&zh[0], "DOCKER_HOST"), at(line, "unix://"), "misaligned:\n{}\n{line}", zh[0]);
        }
    }
}
