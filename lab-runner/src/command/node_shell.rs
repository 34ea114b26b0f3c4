//! `lab cluster shell`: the learner's own shell with docker pointed at one node and the
//! book's `nodeN$ ` prompt, whichever driver runs the node.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::exit::{Exit, Kind};
use crate::ui::Ui;
use lab_i18n::words;

/// The learner's `$SHELL`, else /bin/sh (on Windows `%COMSPEC%`, cmd.exe).
pub fn shell_program() -> String {
    let set = |var| std::env::var(var).ok().filter(|s| !s.is_empty());
    set("SHELL")
        .or_else(|| if cfg!(windows) { set("COMSPEC") } else { None })
        .unwrap_or_else(|| if cfg!(windows) { "cmd.exe" } else { "/bin/sh" }.into())
}

/// Runs `cmd` (the shell `program`, maybe wrapped) with the node's prompt and `env`, the
/// other docker variables removed; rc files for bash and zsh go to `rc_dir`.
pub fn open_shell(
    ui: &Ui,
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
                ui,
                rc_dir,
                &format!("{node}.bashrc"),
                &format!("[ -f ~/.bashrc ] && . ~/.bashrc\nPS1='{prompt}'\n"),
            )?;
            cmd.arg("--rcfile").arg(rc).arg("-i");
        }
        Some("zsh") => {
            let dir = rc_dir.join(format!("{node}.zsh"));
            write_rc(ui, &dir, ".zshrc", &format!("[ -f ~/.zshrc ] && . ~/.zshrc\nPROMPT='{prompt}'\n"))?;
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
    let lang = ui.lang;
    eprintln!("{}", lang.fill(words::SHELL_OPENED, &[("node", &node), ("note", &note)]));
    match cmd.status() {
        Ok(_) => Ok(()),
        Err(e) => {
            Err(ui.fail(Kind::BadInput, lang.fill(words::SHELL_CANNOT_START, &[("program", &program), ("error", &e)])))
        }
    }
}

fn write_rc(ui: &Ui, dir: &Path, name: &str, text: &str) -> Result<PathBuf, Exit> {
    let path = dir.join(name);
    std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, text)).map_err(|e| {
        let msg = ui.lang.fill(words::CANNOT_WRITE, &[("path", &path.display()), ("error", &e)]);
        ui.fail(Kind::PracticeSwarm, msg)
    })?;
    Ok(path)
}
