//! This machine's static busybox (package busybox-static), which the netns driver makes the
//! stand-in images of and the tests' node image carries, and the lookup of host programs
//! on PATH and in the sbin directories a non-login root shell may lack. Needs no root.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::HostBusyboxError;
use crate::image::{docker_arch, BusyboxSource};

/// The host's static busybox; the error says which package to install.
pub fn find_static_busybox() -> Result<PathBuf, HostBusyboxError> {
    let busybox = find_binary("busybox").ok_or(HostBusyboxError::NotInstalled)?;
    if !is_static_elf(&busybox) {
        return Err(HostBusyboxError::NotStatic { path: busybox });
    }
    Ok(busybox)
}

/// The stand-in images' busybox from the host's static one (see [`find_static_busybox`]):
/// its applet list from running it, the platform this process runs on.
pub fn host_busybox(busybox: &Path) -> Result<BusyboxSource, HostBusyboxError> {
    let binary =
        std::fs::read(busybox).map_err(|source| HostBusyboxError::Read { path: busybox.to_path_buf(), source })?;
    let applets = list_applets(busybox)?;
    let (arch, variant) = docker_arch(std::env::consts::ARCH);
    Ok(BusyboxSource { binary, applets, files: Vec::new(), links: Vec::new(), arch, variant })
}

/// What `busybox --list-full` prints.
fn list_applets(busybox: &Path) -> Result<String, HostBusyboxError> {
    let command = format!("{} --list-full", busybox.display());
    let out = Command::new(busybox).arg("--list-full").stdin(Stdio::null()).output().map_err(|e| {
        HostBusyboxError::Run { command: command.clone(), status: "not started".into(), stderr: e.to_string() }
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(HostBusyboxError::Run { command, status: out.status.to_string(), stderr });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Looks `name` up on PATH, then in the sbin directories a non-login root shell may lack.
pub fn find_binary(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// True when the ELF file has no PT_INTERP program header, i.e. needs no dynamic loader.
fn is_static_elf(path: &Path) -> bool {
    std::fs::read(path).ok().and_then(|b| crate::elf::parse(&b).ok()).is_some_and(|elf| elf.interp.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dynamically_linked_binary_is_not_static() {
        assert!(!is_static_elf(Path::new("/proc/self/exe")));
        assert!(!is_static_elf(Path::new("/etc/passwd")), "not an ELF file");
    }
}
