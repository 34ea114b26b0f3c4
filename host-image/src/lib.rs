//! A node image made of this machine's own docker.io files, for tests and benches on
//! machines that cannot pull `docker:dind` (no registry). It holds dockerd, containerd, its
//! runc shim, runc, docker-init, docker-proxy, `ip`, iptables (the nft multi-binary and its
//! modules), every shared library `ldd` lists for them, and the static busybox as the shell
//! and coreutils. Written once to a tar file and reused while the host's binaries stay the
//! same; tests import it with `docker import` and the [`CHANGES`] lines. Its skeleton (directories, accounts,
//! busybox applet links) is the stand-in images' own, from the `stand-in` crate.
//!
//! Test support only: the docker driver's tests and benches use it, `lab` never does.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why the node image could not be made (a program is missing, `ldd` failed, a file could
/// not be read or written), with the path or program it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HostImageError(pub String);

type Result<T> = std::result::Result<T, HostImageError>;

/// The programs the image needs, found on the host's PATH (or sbin).
const PROGRAMS: &[&str] = &[
    "dockerd",
    "containerd",
    "containerd-shim-runc-v2",
    "runc",
    "docker-init",
    "docker-proxy",
    "ip",
    "xtables-nft-multi",
];

/// The node image's directories besides the skeleton every busybox rootfs here has
/// ([`stand_in::BASE_DIRS`]): dockerd's, and those of the host's shared libraries.
const NODE_DIRS: &[&str] = &["etc/docker", "run", "var/lib/docker", "lib", "lib64", "usr/lib"];

/// Where Debian's iptables looks for its extension modules.
const XTABLES_DIR: &str = "/usr/lib/x86_64-linux-gnu/xtables";

/// Names that run xtables-nft-multi.
const IPTABLES_NAMES: &[&str] = &[
    "iptables",
    "iptables-save",
    "iptables-restore",
    "ip6tables",
    "ip6tables-save",
    "ip6tables-restore",
    "iptables-nft",
    "ip6tables-nft",
];

/// Bumped whenever the image's layout changes, so cached archives are rebuilt.
const LAYOUT_VERSION: u64 = 2;

/// The `docker import --change` lines of the image.
pub const CHANGES: &[&str] = &["ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "CMD [\"sh\"]"];

fn io_err(what: &str, path: &Path) -> impl FnOnce(std::io::Error) -> HostImageError {
    let (what, path) = (what.to_string(), path.to_path_buf());
    move |e| HostImageError(format!("{what} ({}): {e}", path.display()))
}

fn program(name: &str) -> Result<PathBuf> {
    stand_in::find_binary(name).ok_or_else(|| {
        HostImageError(format!("`{name}` is not installed; the test node image is built from docker.io and iptables"))
    })
}

/// Writes the rootfs tar to `cache_dir/node-rootfs-<fingerprint>.tar` unless it is there,
/// and returns its path. The fingerprint changes when any host binary does.
pub fn cached_rootfs(cache_dir: &Path) -> Result<PathBuf> {
    let mut programs: Vec<PathBuf> = PROGRAMS.iter().map(|p| program(p)).collect::<Result<_>>()?;
    programs.push(stand_in::find_static_busybox().map_err(|e| HostImageError(e.to_string()))?);
    // FNV-1a over the layout version, then each binary's path, size and mtime.
    let mut fingerprint = 0xcbf29ce484222325u64 ^ LAYOUT_VERSION;
    for p in &programs {
        let meta = std::fs::metadata(p).map_err(io_err("cannot read", p))?;
        let mtime = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).unwrap_or_default();
        for b in p
            .as_os_str()
            .as_encoded_bytes()
            .iter()
            .chain(&meta.len().to_le_bytes())
            .chain(&mtime.as_secs().to_le_bytes())
        {
            fingerprint = (fingerprint ^ u64::from(*b)).wrapping_mul(0x100000001b3);
        }
    }
    let path = cache_dir.join(format!("node-rootfs-{fingerprint:016x}.tar"));
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(cache_dir).map_err(io_err("cannot create the image cache folder", cache_dir))?;
    let partial = cache_dir.join(format!(".node-rootfs-{}.partial", std::process::id()));
    write_rootfs(&programs, &partial)?;
    std::fs::rename(&partial, &path).map_err(io_err("cannot store the node image", &path))?;
    Ok(path)
}

fn write_rootfs(programs: &[PathBuf], out: &Path) -> Result<()> {
    let (busybox, programs) = programs.split_last().expect("busybox is last");
    let file = File::create(out).map_err(io_err("cannot write the node image", out))?;
    let mut tar = tar::Builder::new(BufWriter::new(file));
    tar.follow_symlinks(true);
    let err = |e: std::io::Error| HostImageError(format!("cannot write the node image ({}): {e}", out.display()));
    let mut added = BTreeSet::new();

    for &dir in stand_in::BASE_DIRS.iter().chain(NODE_DIRS) {
        dir_entry(&mut tar, dir, if dir == "tmp" { 0o1777 } else { 0o755 }).map_err(err)?;
        added.insert(format!("{dir}/"));
    }
    symlink(&mut tar, "var/run", "../run").map_err(err)?;

    // Busybox applets of the same name must not shadow these.
    let mut ours: BTreeSet<String> = IPTABLES_NAMES.iter().map(|n| n.to_string()).collect();
    for p in programs {
        ours.insert(p.file_name().unwrap().to_string_lossy().into_owned());
        let at = format!("usr/bin/{}", p.file_name().unwrap().to_string_lossy());
        tar.append_path_with_name(p, &at).map_err(err)?;
        added.insert(at);
    }
    for name in IPTABLES_NAMES {
        symlink(&mut tar, &format!("usr/sbin/{name}"), "/usr/bin/xtables-nft-multi").map_err(err)?;
    }
    let modules: Vec<PathBuf> = std::fs::read_dir(XTABLES_DIR)
        .map_err(io_err("cannot list the iptables modules", Path::new(XTABLES_DIR)))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "so"))
        .collect();
    mkdirs(&mut tar, &mut added, XTABLES_DIR).map_err(err)?;
    for m in &modules {
        let at = m.to_string_lossy().trim_start_matches('/').to_string();
        tar.append_path_with_name(m, &at).map_err(err)?;
    }
    let mut needs: Vec<&Path> = programs.iter().map(PathBuf::as_path).collect();
    needs.extend(modules.iter().map(PathBuf::as_path));
    for lib in libraries(&needs)? {
        let at = lib.to_string_lossy().trim_start_matches('/').to_string();
        if added.insert(at.clone()) {
            mkdirs(&mut tar, &mut added, lib.parent().unwrap().to_str().unwrap_or("")).map_err(err)?;
            tar.append_path_with_name(&lib, &at).map_err(err)?;
        }
    }

    tar.append_path_with_name(busybox, "bin/busybox").map_err(err)?;
    let applets = Command::new(busybox).arg("--list-full").output().map_err(io_err("cannot run busybox", busybox))?;
    for applet in stand_in::applet_paths(&String::from_utf8_lossy(&applets.stdout)) {
        let name = applet.rsplit('/').next().unwrap_or(&applet);
        if !ours.contains(name) {
            symlink(&mut tar, &applet, "/bin/busybox").map_err(err)?;
        }
    }
    for (path, text) in
        [("etc/passwd", stand_in::PASSWD), ("etc/group", stand_in::GROUP), ("etc/nsswitch.conf", "hosts: files dns\n")]
    {
        file_entry(&mut tar, path, text.as_bytes()).map_err(err)?;
    }
    for etc in ["/etc/protocols", "/etc/services", "/etc/ethertypes"] {
        if Path::new(etc).exists() {
            tar.append_path_with_name(etc, &etc[1..]).map_err(err)?;
        }
    }
    tar.into_inner().and_then(|mut w| w.flush()).map_err(err)
}

/// Every shared library (and the loader) the files need, from one `ldd` run.
fn libraries(files: &[&Path]) -> Result<BTreeSet<PathBuf>> {
    let out = Command::new("ldd").args(files).output().map_err(io_err("cannot run ldd", Path::new("ldd")))?;
    let mut libs = BTreeSet::new();
    // With several files ldd heads each one's list with "/path/to/file:".
    for line in String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.trim_end().ends_with(':')) {
        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
        let path = match line.split_once("=>") {
            Some((_, right)) => right.split_whitespace().next(),
            None => line.split_whitespace().next(),
        };
        if let Some(p) = path.filter(|p| p.starts_with('/')) {
            libs.insert(PathBuf::from(p));
        }
    }
    Ok(libs)
}

fn mkdirs<W: Write>(tar: &mut tar::Builder<W>, added: &mut BTreeSet<String>, dir: &str) -> std::io::Result<()> {
    let mut at = String::new();
    for part in dir.trim_matches('/').split('/').filter(|p| !p.is_empty()) {
        if !at.is_empty() {
            at.push('/');
        }
        at.push_str(part);
        if added.insert(format!("{at}/")) {
            dir_entry(tar, &at, 0o755)?;
        }
    }
    Ok(())
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(0);
    h
}

fn dir_entry<W: Write>(tar: &mut tar::Builder<W>, path: &str, mode: u32) -> std::io::Result<()> {
    tar.append_data(&mut header(tar::EntryType::Directory, mode, 0), format!("{path}/"), std::io::empty())
}

fn file_entry<W: Write>(tar: &mut tar::Builder<W>, path: &str, data: &[u8]) -> std::io::Result<()> {
    tar.append_data(&mut header(tar::EntryType::Regular, 0o644, data.len() as u64), path, data)
}

fn symlink<W: Write>(tar: &mut tar::Builder<W>, path: &str, target: &str) -> std::io::Result<()> {
    tar.append_link(&mut header(tar::EntryType::Symlink, 0o777, 0), path, target)
}
