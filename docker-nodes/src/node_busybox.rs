//! The stand-in images' busybox, copied out of a node container through the user's engine
//! (the archive endpoint and detached execs: Engine API only, nothing run on this machine),
//! so the stand-ins are made of the node image's own busybox and run on whatever platform
//! the nodes do. Docker Desktop on macOS or Windows has no busybox of its own, and on Apple
//! Silicon the nodes are arm64.
//!
//! A dynamically linked busybox (docker:dind's is Alpine's, linked against musl) comes with
//! its loader (`PT_INTERP`) and the libraries it names (`DT_NEEDED`, and theirs), each taken
//! from the directories its loader searches, symbolic links kept as links at the same paths.
//! The node image is the learner's choice, so what is read is bounded: busybox at most
//! [`MAX_BINARY`], its libraries at most [`MAX_LIBRARIES`] together.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bollard::exec::{CreateExecOptions, StartExecOptions};
use bollard::query_parameters::DownloadFromContainerOptionsBuilder;
use bollard::Docker;
use futures_util::StreamExt;
use stand_in::elf::{self, ElfInfo};
use stand_in::{docker_arch, BusyboxSource, SourceFile};

use crate::error::{NodesError, Result};
use crate::progress::Progress;

/// Largest busybox taken (a full static build is ~2 MiB).
pub const MAX_BINARY: u64 = 16 << 20;
/// Largest total of the loader and libraries taken (musl is ~1 MiB, glibc's libc ~2 MiB).
pub const MAX_LIBRARIES: u64 = 64 << 20;
/// Largest applet list taken (busybox's is ~5 KiB).
const MAX_APPLET_LIST: u64 = 1 << 20;
/// Most symbolic links followed for one path.
const MAX_LINK_HOPS: usize = 16;
/// Most libraries taken.
const MAX_LIBRARY_COUNT: usize = 64;
/// Where busybox usually is; otherwise the node's shell looks it up on its PATH.
const USUAL_PATHS: &[&str] = &["/bin/busybox", "/usr/bin/busybox", "/sbin/busybox", "/usr/sbin/busybox"];
/// Scratch files in the node, in its writable layer: the archive endpoint does not see into
/// the node's tmpfs mounts (/tmp, /run).
const APPLETS_FILE: &str = "/.swarm-lab-busybox-applets";
const PATH_FILE: &str = "/.swarm-lab-busybox-path";

/// One entry of the node's filesystem, as the archive endpoint gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    File {
        data: Vec<u8>,
        mode: u32,
    },
    Symlink(String),
    /// A file larger than the limit asked for.
    TooLarge,
    /// A directory, a device, …: which.
    Other(&'static str),
}

/// A node container's filesystem and processes, as far as fetching busybox needs them.
pub(crate) trait NodeFs {
    /// The entry at the absolute `path`, its last component not followed; `None` when there
    /// is nothing there.
    async fn entry(&self, path: &str, limit: u64) -> std::result::Result<Option<Entry>, String>;
    /// Runs `argv` in the node to completion and returns its exit code.
    async fn run(&self, argv: &[&str]) -> std::result::Result<i64, String>;
}

/// What the stand-ins are made of, copied out of a node.
#[derive(Debug)]
pub struct Fetched {
    pub source: BusyboxSource,
    image: String,
    /// busybox's ELF machine, for messages.
    machine: u16,
}

impl Fetched {
    /// Sets the platform from the node engine's /info `Architecture` (`x86_64`, `aarch64`),
    /// when it said one; otherwise it stays the one busybox was built for.
    pub fn finish(mut self, engine_machine: Option<&str>) -> Result<Fetched> {
        if let Some(m) = engine_machine.filter(|m| !m.trim().is_empty()) {
            (self.source.arch, self.source.variant) = docker_arch(m);
        }
        if self.source.arch.is_empty() {
            return Err(NodesError::StandInBusybox {
                image: self.image,
                why: format!(
                    "its busybox is built for ELF machine {}, which docker has no name for, and the node's \
                     engine did not say its architecture",
                    self.machine
                ),
            });
        }
        Ok(self)
    }

    /// Where the stand-ins' busybox came from (`stand-in images: busybox from node image
    /// docker:29-dind (arch amd64; …)`).
    pub fn progress(&self) -> Progress {
        let s = &self.source;
        let platform = match &s.variant {
            Some(v) => format!("{}/{v}", s.arch),
            None => s.arch.clone(),
        };
        Progress::StandIns { image: self.image.clone(), platform, files: s.files.len() + s.links.len() }
    }
}

/// Copies busybox, its applet list and what it needs to run out of the node container
/// `container` (made from `image`); its platform is the one busybox was built for until
/// [`Fetched::finish`] names the engine's.
pub async fn fetch(engine: &Docker, container: &str, image: &str) -> Result<Fetched> {
    fetch_from(&EngineFs { engine, container }, image).await
}

pub(crate) async fn fetch_from(fs: &impl NodeFs, image: &str) -> Result<Fetched> {
    let fail = |why: String| NodesError::StandInBusybox { image: image.to_string(), why };
    let Some((path, binary)) = find(fs).await.map_err(fail)? else {
        return Err(NodesError::NoBusybox { image: image.to_string() });
    };
    let Some(binary) = binary else {
        return Err(fail(format!("{path} is larger than {} MiB; that is no busybox", MAX_BINARY >> 20)));
    };
    let info = elf::parse(&binary.data).map_err(|e| fail(format!("{path}: {e}")))?;
    let mut plan = Plan::default();
    plan.libraries(fs, &info).await.map_err(fail)?;
    let applets = applets(fs, &path).await.map_err(fail)?;
    let (arch, variant) = elf::docker_arch(&info).map_or((String::new(), None), |(a, v)| (a.into(), v.map(Into::into)));
    let source = BusyboxSource { binary: binary.data, applets, files: plan.files, links: plan.links, arch, variant };
    Ok(Fetched { source, image: image.to_string(), machine: info.machine })
}

/// Where busybox is in the node (a usual path, else what the node's shell finds on PATH)
/// and the file there, `None` when larger than [`MAX_BINARY`].
async fn find(fs: &impl NodeFs) -> std::result::Result<Option<(String, Option<Found>)>, String> {
    let binary = |path: String, resolved: Resolved| match resolved {
        Resolved::File(found) => Some((path, Some(found))),
        Resolved::TooLarge => Some((path, None)),
        Resolved::Missing | Resolved::Known(_) => None,
    };
    for p in USUAL_PATHS {
        if let Some(found) = binary(p.to_string(), resolve(fs, p, MAX_BINARY, &BTreeSet::new()).await?.0) {
            return Ok(Some(found));
        }
    }
    // No shell, or none that finds busybox: either way the image has no busybox to take.
    let script = format!("command -v busybox > {PATH_FILE}");
    if fs.run(&["sh", "-c", &script]).await.ok() != Some(0) {
        return Ok(None);
    }
    let found = match fs.entry(PATH_FILE, 4096).await? {
        Some(Entry::File { data, .. }) => String::from_utf8_lossy(&data).trim().to_string(),
        _ => return Ok(None),
    };
    let _ = fs.run(&["rm", "-f", PATH_FILE]).await;
    match plain_path(&found) {
        Some(p) => Ok(binary(p.clone(), resolve(fs, &p, MAX_BINARY, &BTreeSet::new()).await?.0)),
        None => Ok(None),
    }
}

/// `busybox --list-full`, run in the node (its output goes to a scratch file: no attached
/// stream, which not every connection to an engine can carry).
async fn applets(fs: &impl NodeFs, busybox: &str) -> std::result::Result<String, String> {
    let script = format!("\"$0\" --list-full > {APPLETS_FILE}");
    let code = fs.run(&[busybox, "sh", "-c", &script, busybox]).await?;
    if code != 0 {
        return Err(format!("`{busybox} sh -c '{busybox} --list-full'` exited with {code} in the node"));
    }
    let list = match fs.entry(APPLETS_FILE, MAX_APPLET_LIST).await? {
        Some(Entry::File { data, .. }) => String::from_utf8_lossy(&data).into_owned(),
        Some(Entry::TooLarge) => return Err("its applet list is larger than 1 MiB".into()),
        _ => return Err(format!("`{busybox} --list-full` wrote no {APPLETS_FILE}")),
    };
    let _ = fs.run(&[busybox, "rm", "-f", APPLETS_FILE]).await;
    if !list.lines().any(|l| l.trim().rsplit('/').next() == Some("sh")) {
        return Err(format!("{busybox} has no `sh` applet, and every stand-in runs one"));
    }
    Ok(list)
}

/// What a path leads to.
enum Resolved {
    File(Found),
    /// A path already taken: not read again.
    Known(String),
    /// A file larger than the limit.
    TooLarge,
    /// Nothing: the path, or a link on the way, leads nowhere.
    Missing,
}

/// What `path` leads to, following symbolic links (at most [`MAX_LINK_HOPS`]) and stopping
/// at a path in `known`; also the links passed, as (path, target).
async fn resolve(
    fs: &impl NodeFs,
    path: &str,
    limit: u64,
    known: &BTreeSet<String>,
) -> std::result::Result<(Resolved, Vec<(String, String)>), String> {
    let mut at = plain_path(path).ok_or_else(|| format!("{path:?} is not a plain absolute path"))?;
    let mut links = Vec::new();
    for _ in 0..=MAX_LINK_HOPS {
        if known.contains(&at) {
            return Ok((Resolved::Known(at), links));
        }
        match fs.entry(&at, limit).await? {
            None => return Ok((Resolved::Missing, links)),
            Some(Entry::File { data, mode }) => return Ok((Resolved::File(Found { path: at, data, mode }), links)),
            Some(Entry::TooLarge) => return Ok((Resolved::TooLarge, links)),
            Some(Entry::Other(what)) => return Err(format!("{at} is {what}, not a file")),
            Some(Entry::Symlink(target)) => {
                let next = link_target(&at, &target).ok_or_else(|| format!("{at} links to {target:?}"))?;
                links.push((at, target));
                at = next;
            }
        }
    }
    Err(format!("{path}: more than {MAX_LINK_HOPS} symbolic links"))
}

/// A regular file found in the node.
struct Found {
    path: String,
    data: Vec<u8>,
    mode: u32,
}

/// The loader and libraries busybox needs, as they are taken.
#[derive(Default)]
struct Plan {
    files: Vec<SourceFile>,
    links: Vec<(String, String)>,
    /// Every file taken, with what its ELF header says.
    taken: BTreeMap<String, ElfInfo>,
    total: u64,
}

impl Plan {
    /// Takes the loader of `program`, then every library it needs and those need in turn.
    async fn libraries(&mut self, fs: &impl NodeFs, program: &ElfInfo) -> std::result::Result<(), String> {
        if let Some(interp) = &program.interp {
            if self.take(fs, interp, program).await?.is_none() {
                return Err(format!("its loader {interp} is not in the node image"));
            }
        }
        let dirs = search_dirs(program);
        let mut queue: VecDeque<(String, String)> =
            program.needed.iter().map(|n| (n.clone(), "busybox".to_string())).collect();
        let mut done = BTreeSet::new();
        while let Some((name, by)) = queue.pop_front() {
            if !done.insert(name.clone()) {
                continue;
            }
            if done.len() > MAX_LIBRARY_COUNT {
                return Err(format!("it needs more than {MAX_LIBRARY_COUNT} libraries"));
            }
            let candidates: Vec<String> = if name.contains('/') {
                vec![name.clone()]
            } else {
                dirs.iter().map(|d| format!("{d}/{name}")).collect()
            };
            let mut found = None;
            for c in &candidates {
                if let Some(info) = self.take(fs, c, program).await? {
                    found = Some(info);
                    break;
                }
            }
            let Some(info) = found else {
                return Err(format!("{name}, which {by} needs, is in none of {}", dirs.join(", ")));
            };
            queue.extend(info.needed.iter().map(|n| (n.clone(), name.clone())));
        }
        Ok(())
    }

    /// Takes the file `path` leads to and the links on the way: its ELF facts, or `None`
    /// when there is nothing there or it is built for another machine (a biarch system's
    /// other libc).
    async fn take(
        &mut self,
        fs: &impl NodeFs,
        path: &str,
        program: &ElfInfo,
    ) -> std::result::Result<Option<ElfInfo>, String> {
        let known: BTreeSet<String> = self.taken.keys().cloned().collect();
        let (resolved, links) = resolve(fs, path, MAX_LIBRARIES - self.total, &known).await?;
        let info = match resolved {
            Resolved::Missing => return Ok(None),
            Resolved::TooLarge => {
                return Err(format!("its libraries are larger than {} MiB together", MAX_LIBRARIES >> 20))
            }
            Resolved::Known(at) => self.taken[&at].clone(),
            Resolved::File(file) => {
                let info = elf::parse(&file.data).map_err(|e| format!("{}: {e}", file.path))?;
                if (info.bits, info.little_endian, info.machine)
                    != (program.bits, program.little_endian, program.machine)
                {
                    return Ok(None);
                }
                self.total += file.data.len() as u64;
                self.taken.insert(file.path.clone(), info.clone());
                self.files.push(SourceFile { path: file.path, data: file.data, mode: file.mode });
                info
            }
        };
        for (link, target) in links {
            if !self.links.iter().any(|(l, _)| *l == link) {
                self.links.push((link, target));
            }
        }
        Ok(Some(info))
    }
}

/// The directories a program's libraries are looked for in, as its loader would: the
/// multiarch ones of glibc distributions first, then /lib and /usr/lib (musl's), then the
/// lib64 ones of 64-bit glibc distributions that have no multiarch directories.
fn search_dirs(program: &ElfInfo) -> Vec<String> {
    let mut dirs = Vec::new();
    if let Some(triplet) = elf::multiarch_triplet(program) {
        dirs.extend([format!("/lib/{triplet}"), format!("/usr/lib/{triplet}")]);
    }
    dirs.extend(["/lib".to_string(), "/usr/lib".to_string()]);
    if program.bits == 64 {
        dirs.extend(["/lib64".to_string(), "/usr/lib64".to_string()]);
    }
    dirs
}

/// `path` made plain (`/a/./b//c` → `/a/b/c`, `..` taken back, never above /); `None`
/// when it is not absolute, is only /, or holds control characters.
fn plain_path(path: &str) -> Option<String> {
    if !path.starts_with('/') || path.len() > 4096 || path.chars().any(char::is_control) {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| format!("/{}", parts.join("/")))
}

/// Where the link at `link` pointing to `target` leads: absolute targets as they are,
/// relative ones from the link's directory.
fn link_target(link: &str, target: &str) -> Option<String> {
    if target.is_empty() {
        return None;
    }
    if target.starts_with('/') {
        return plain_path(target);
    }
    let dir = link.rsplit_once('/').map_or("", |(d, _)| d);
    plain_path(&format!("{dir}/{target}"))
}

/// The node container, reached through the user's engine.
struct EngineFs<'a> {
    engine: &'a Docker,
    container: &'a str,
}

/// Room for the tar headers around one file in an archive answer.
const TAR_SLACK: u64 = 64 << 10;

impl NodeFs for EngineFs<'_> {
    async fn entry(&self, path: &str, limit: u64) -> std::result::Result<Option<Entry>, String> {
        let options = DownloadFromContainerOptionsBuilder::new().path(path).build();
        let mut stream = self.engine.download_from_container(self.container, Some(options));
        let mut tar = Vec::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => tar.extend_from_slice(&bytes),
                Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => return Ok(None),
                Err(e) => return Err(format!("reading {path} from {}: {e}", self.container)),
            }
            if tar.len() as u64 > limit.saturating_add(TAR_SLACK) {
                return Ok(Some(Entry::TooLarge));
            }
        }
        first_entry(&tar, limit).map(Some).map_err(|e| format!("reading {path} from {}: {e}", self.container))
    }

    async fn run(&self, argv: &[&str]) -> std::result::Result<i64, String> {
        let what = |e: bollard::errors::Error| format!("running `{}` in {}: {e}", argv.join(" "), self.container);
        let options = CreateExecOptions {
            cmd: Some(argv.to_vec()),
            attach_stdout: Some(false),
            attach_stderr: Some(false),
            ..Default::default()
        };
        let exec = self.engine.create_exec(self.container, options).await.map_err(what)?;
        self.engine
            .start_exec(&exec.id, Some(StartExecOptions { detach: true, ..Default::default() }))
            .await
            .map_err(what)?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.engine.inspect_exec(&exec.id).await.map_err(what)?;
            match (state.running, state.exit_code) {
                (Some(false), Some(code)) => return Ok(code),
                _ if Instant::now() > deadline => {
                    return Err(format!("`{}` in {} did not finish within 30s", argv.join(" "), self.container))
                }
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

/// The first entry of an archive answer (`GET /containers/{id}/archive` packs the one path
/// asked for).
fn first_entry(tar: &[u8], limit: u64) -> std::result::Result<Entry, String> {
    let mut archive = tar::Archive::new(tar);
    let mut entries = archive.entries().map_err(|e| format!("unreadable archive: {e}"))?;
    let mut entry =
        entries.next().ok_or_else(|| "empty archive".to_string())?.map_err(|e| format!("unreadable archive: {e}"))?;
    let header = entry.header();
    let mode = header.mode().unwrap_or(0o755);
    Ok(match header.entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous => {
            if entry.size() > limit {
                return Ok(Entry::TooLarge);
            }
            let mut data = Vec::with_capacity(entry.size() as usize);
            std::io::Read::read_to_end(&mut entry, &mut data).map_err(|e| format!("unreadable archive: {e}"))?;
            Entry::File { data, mode }
        }
        tar::EntryType::Symlink => {
            let target = entry.link_name().map_err(|e| format!("unreadable archive: {e}"))?;
            Entry::Symlink(target.map(|t| t.to_string_lossy().into_owned()).unwrap_or_default())
        }
        tar::EntryType::Directory => Entry::Other("a directory"),
        tar::EntryType::Link => Entry::Other("a hard link"),
        _ => Entry::Other("a special file"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A node filesystem in memory; `run` understands the two commands the fetch runs.
    #[derive(Default)]
    struct FakeNode {
        entries: RefCell<BTreeMap<String, Entry>>,
        applets: String,
        /// What `command -v busybox` prints, when the shell finds one.
        on_path: Option<String>,
        ran: RefCell<Vec<String>>,
        asked: RefCell<Vec<String>>,
    }

    impl FakeNode {
        fn file(self, path: &str, data: &[u8]) -> Self {
            self.entries.borrow_mut().insert(path.into(), Entry::File { data: data.to_vec(), mode: 0o755 });
            self
        }

        fn link(self, path: &str, target: &str) -> Self {
            self.entries.borrow_mut().insert(path.into(), Entry::Symlink(target.into()));
            self
        }
    }

    impl NodeFs for FakeNode {
        async fn entry(&self, path: &str, limit: u64) -> std::result::Result<Option<Entry>, String> {
            self.asked.borrow_mut().push(path.to_string());
            Ok(self.entries.borrow().get(path).cloned().map(|e| match e {
                Entry::File { data, .. } if data.len() as u64 > limit => Entry::TooLarge,
                e => e,
            }))
        }

        async fn run(&self, argv: &[&str]) -> std::result::Result<i64, String> {
            self.ran.borrow_mut().push(argv.join(" "));
            let mut entries = self.entries.borrow_mut();
            match argv {
                [bb, "sh", "-c", script, _] if script.contains("--list-full") => {
                    if !entries.contains_key(*bb) {
                        return Err(format!("exec: {bb}: not found"));
                    }
                    let data = self.applets.clone().into_bytes();
                    entries.insert(APPLETS_FILE.into(), Entry::File { data, mode: 0o644 });
                    Ok(0)
                }
                ["sh", "-c", script] if script.starts_with("command -v busybox") => match &self.on_path {
                    Some(p) => {
                        entries.insert(PATH_FILE.into(), Entry::File { data: format!("{p}\n").into(), mode: 0o644 });
                        Ok(0)
                    }
                    None => Ok(127),
                },
                [.., "rm", "-f", file] => Ok(i64::from(entries.remove(*file).is_none())),
                _ => Err(format!("unexpected command {argv:?}")),
            }
        }
    }

    /// A tiny ELF (x86-64 little-endian unless `bits` says 32) naming `interp` and `needed`.
    fn elf(bits: u8, interp: Option<&str>, needed: &[&str]) -> Vec<u8> {
        // Layout: header, 3 program headers (LOAD over everything, INTERP, DYNAMIC), then
        // the interpreter path, the string table and the dynamic section.
        let word = if bits == 64 { 8 } else { 4 };
        let (ehsize, phsize) = if bits == 64 { (64u64, 56u64) } else { (52, 32) };
        let w = |v: u64, n: usize| v.to_le_bytes()[..n].to_vec();
        let interp_off = ehsize + 3 * phsize;
        let interp_bytes = interp.map(|i| format!("{i}\0").into_bytes()).unwrap_or_default();
        let mut strtab = vec![0u8];
        let mut offsets = Vec::new();
        for n in needed {
            offsets.push(strtab.len() as u64);
            strtab.extend(n.as_bytes());
            strtab.push(0);
        }
        let strtab_off = interp_off + interp_bytes.len() as u64;
        let dyn_off = strtab_off + strtab.len() as u64;
        let mut dynamic = Vec::new();
        for (tag, val) in offsets.iter().map(|o| (1, *o)).chain([(5, strtab_off), (10, strtab.len() as u64), (0, 0)]) {
            dynamic.extend(w(tag, word));
            dynamic.extend(w(val, word));
        }
        let total = dyn_off + dynamic.len() as u64;
        let mut f = b"\x7fELF".to_vec();
        f.extend([if bits == 64 { 2 } else { 1 }, 1, 1]);
        f.resize(16, 0);
        f.extend(w(3, 2));
        f.extend(w(if bits == 64 { 62 } else { 3 }, 2));
        f.extend(w(1, 4));
        f.extend(w(0, word));
        f.extend(w(ehsize, word));
        f.extend(w(0, word));
        f.extend(w(0, 4));
        f.extend(w(ehsize, 2));
        f.extend(w(phsize, 2));
        f.extend(w(3, 2));
        f.extend([0; 6]);
        let interp_kind = if interp.is_some() { 3 } else { 4 }; // PT_NOTE stands in for "no interp"
        for (kind, off, size) in
            [(1u64, 0, total), (interp_kind, interp_off, interp_bytes.len() as u64), (2, dyn_off, dynamic.len() as u64)]
        {
            if bits == 64 {
                f.extend(w(kind, 4));
                f.extend(w(4, 4));
                for v in [off, off, off, size, size, 8] {
                    f.extend(w(v, 8));
                }
            } else {
                f.extend(w(kind, 4));
                for v in [off, off, off, size, size, 4, 4] {
                    f.extend(w(v, 4));
                }
            }
        }
        f.extend(interp_bytes);
        f.extend(strtab);
        f.extend(dynamic);
        f
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    const APPLETS: &str = "bin/sh\nusr/bin/nc\nusr/sbin/httpd\n";

    /// docker:dind's layout: Alpine's busybox, linked against musl, whose libc name is a
    /// relative link to the loader.
    fn alpine() -> FakeNode {
        FakeNode { applets: APPLETS.into(), ..Default::default() }
            .file("/bin/busybox", &elf(64, Some("/lib/ld-musl-x86_64.so.1"), &["libc.musl-x86_64.so.1"]))
            .file("/lib/ld-musl-x86_64.so.1", &elf(64, None, &[]))
            .link("/lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1")
    }

    #[test]
    fn a_musl_busybox_comes_with_its_loader_and_the_link_that_names_libc() {
        let node = alpine();
        let got = run(fetch_from(&node, "docker:29-dind")).unwrap().finish(Some("x86_64")).unwrap();
        let s = &got.source;
        assert_eq!(s.binary, elf(64, Some("/lib/ld-musl-x86_64.so.1"), &["libc.musl-x86_64.so.1"]));
        let files: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(files, ["/lib/ld-musl-x86_64.so.1"], "the loader once, though libc names it again");
        assert_eq!(s.links, [("/lib/libc.musl-x86_64.so.1".to_string(), "ld-musl-x86_64.so.1".to_string())]);
        assert_eq!((s.applets.as_str(), s.arch.as_str(), s.variant.as_deref()), (APPLETS, "amd64", None));
        assert_eq!(
            got.progress().to_string(),
            "stand-in images: busybox from node image docker:29-dind (arch amd64; dynamically linked: with its \
             loader and libraries, 2 file(s) and link(s))"
        );
        // The scratch file is removed, and the rootfs builds from what was fetched.
        assert!(!node.entries.borrow().contains_key(APPLETS_FILE), "{:?}", node.ran.borrow());
        stand_in::rootfs_tar(s).unwrap();
    }

    #[test]
    fn glibc_libraries_are_found_in_multiarch_dirs_through_absolute_links_and_their_own_needs() {
        // Debian's busybox package: the loader path is an absolute link into the multiarch
        // dir, libresolv needs libc, and a 32-bit libc in /lib is not taken for a 64-bit program.
        let node = FakeNode { applets: APPLETS.into(), ..Default::default() }
            .file(
                "/bin/busybox",
                &elf(64, Some("/lib64/ld-linux-x86-64.so.2"), &["libresolv.so.2", "libc.so.6", "libz.so.1"]),
            )
            .link("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
            .file("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", &elf(64, None, &[]))
            .file("/lib/x86_64-linux-gnu/libresolv.so.2", &elf(64, None, &["libc.so.6"]))
            .link("/lib/x86_64-linux-gnu/libc.so.6", "libc-2.36.so")
            .file("/lib/x86_64-linux-gnu/libc-2.36.so", &elf(64, None, &["ld-linux-x86-64.so.2"]))
            .file("/lib/libz.so.1", &elf(32, None, &[]))
            .file("/usr/lib/libz.so.1", &elf(64, None, &[]));
        let got = run(fetch_from(&node, "debian-node")).unwrap().finish(Some("x86_64")).unwrap();
        let files: BTreeSet<&str> = got.source.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            files,
            BTreeSet::from([
                "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "/lib/x86_64-linux-gnu/libresolv.so.2",
                "/lib/x86_64-linux-gnu/libc-2.36.so",
                "/usr/lib/libz.so.1",
            ]),
            "the 32-bit libz in /lib is not taken for a 64-bit busybox"
        );
        let links: BTreeSet<(&str, &str)> = got.source.links.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        assert_eq!(
            links,
            BTreeSet::from([
                ("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
                ("/lib/x86_64-linux-gnu/libc.so.6", "libc-2.36.so"),
            ])
        );
        stand_in::rootfs_tar(&got.source).unwrap();
    }

    #[test]
    fn a_static_busybox_needs_nothing_and_names_the_engine_platform() {
        let node = FakeNode { applets: APPLETS.into(), ..Default::default() }.file("/bin/busybox", &elf(64, None, &[]));
        let got = run(fetch_from(&node, "img")).unwrap().finish(Some("aarch64")).unwrap();
        assert!(got.source.files.is_empty() && got.source.links.is_empty());
        assert_eq!(got.progress().to_string(), "stand-in images: busybox from node image img (arch arm64)");
        // Without the engine's word, the platform busybox was built for.
        let got = run(fetch_from(&node, "img")).unwrap().finish(None).unwrap();
        assert_eq!(got.source.arch, "amd64");
        let got = run(fetch_from(&node, "img")).unwrap().finish(Some("armv7l")).unwrap();
        assert_eq!(got.progress().to_string(), "stand-in images: busybox from node image img (arch arm/v7)");
    }

    #[test]
    fn busybox_elsewhere_is_found_through_the_node_shell() {
        let node =
            FakeNode { applets: APPLETS.into(), on_path: Some("/opt/bb/bin/busybox".into()), ..Default::default() }
                .link("/opt/bb/bin/busybox", "../libexec/busybox")
                .file("/opt/bb/libexec/busybox", &elf(64, None, &[]));
        let got = run(fetch_from(&node, "img")).unwrap().finish(Some("x86_64")).unwrap();
        assert_eq!(got.source.binary, elf(64, None, &[]));
        assert!(
            node.ran.borrow().iter().any(|c| c.starts_with("/opt/bb/bin/busybox sh -c")),
            "{:?}",
            node.ran.borrow()
        );
    }

    #[test]
    fn an_image_without_busybox_says_so_and_names_the_ways_out() {
        let node = FakeNode::default().file("/usr/bin/dockerd", b"\x7fELF");
        let err = run(fetch_from(&node, "my/node:1")).unwrap_err();
        assert!(matches!(err, NodesError::NoBusybox { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("my/node:1") && text.contains("--online") && text.contains("docker:dind"), "{text}");
    }

    #[test]
    fn a_missing_library_names_what_needs_it_and_where_it_was_looked_for() {
        let node = alpine().file("/bin/busybox", &elf(64, None, &["libcrypto.so.3"]));
        let err = run(fetch_from(&node, "img")).unwrap_err().to_string();
        assert!(err.contains("libcrypto.so.3, which busybox needs, is in none of /lib/x86_64-linux-gnu"), "{err}");
        let node = alpine().file("/lib/ld-musl-x86_64.so.1", b"not an elf");
        let err = run(fetch_from(&node, "img")).unwrap_err().to_string();
        assert!(err.contains("/lib/ld-musl-x86_64.so.1: not an ELF file") && err.contains("--online"), "{err}");
        let node = alpine().link("/lib/ld-musl-x86_64.so.1", "ld-musl-x86_64.so.1");
        let err = run(fetch_from(&node, "img")).unwrap_err().to_string();
        assert!(err.contains("more than 16 symbolic links"), "{err}");
    }

    #[test]
    fn sizes_are_bounded() {
        let mut big = elf(64, None, &[]);
        big.resize(MAX_BINARY as usize + 1, 0);
        let node = alpine().file("/bin/busybox", &big);
        let err = run(fetch_from(&node, "img")).unwrap_err().to_string();
        assert!(err.contains("larger than 16 MiB"), "{err}");

        // Two libraries of 33 MiB each: the second goes past the total.
        let mut lib = elf(64, None, &[]);
        lib.resize(33 << 20, 0);
        let node = alpine()
            .file("/bin/busybox", &elf(64, None, &["liba.so", "libb.so"]))
            .file("/lib/liba.so", &lib)
            .file("/lib/libb.so", &lib);
        let err = run(fetch_from(&node, "img")).unwrap_err().to_string();
        assert!(err.contains("libraries are larger than 64 MiB together"), "{err}");
    }

    #[test]
    fn a_busybox_without_sh_is_refused() {
        let node =
            FakeNode { applets: "usr/bin/nc\n".into(), ..Default::default() }.file("/bin/busybox", &elf(64, None, &[]));
        let err = run(fetch_from(&node, "img")).unwrap_err().to_string();
        assert!(err.contains("has no `sh` applet"), "{err}");
    }

    #[test]
    fn paths_are_made_plain_and_links_resolved_from_their_directory() {
        assert_eq!(plain_path("/a/./b//c/").as_deref(), Some("/a/b/c"));
        assert_eq!(plain_path("/../../etc/x").as_deref(), Some("/etc/x"));
        assert_eq!(plain_path("lib/x"), None);
        assert_eq!(plain_path("/"), None);
        assert_eq!(plain_path("/a\nb"), None);
        assert_eq!(link_target("/lib/libc.so", "ld.so").as_deref(), Some("/lib/ld.so"));
        assert_eq!(link_target("/usr/lib/x", "../../lib/y").as_deref(), Some("/lib/y"));
        assert_eq!(link_target("/lib64/ld", "/lib/x/ld").as_deref(), Some("/lib/x/ld"));
        assert_eq!(link_target("/lib/x", ""), None);
    }

    #[test]
    fn archive_answers_are_read_and_bounded() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(5);
        h.set_mode(0o755);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, "busybox", &b"hello"[..]).unwrap();
        let tar = b.into_inner().unwrap();
        assert_eq!(first_entry(&tar, 5), Ok(Entry::File { data: b"hello".to_vec(), mode: 0o755 }));
        assert_eq!(first_entry(&tar, 4), Ok(Entry::TooLarge));
        assert!(first_entry(&tar[..100], 5).is_err(), "a truncated archive");
        assert!(first_entry(b"", 5).is_err());

        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(0);
        h.set_entry_type(tar::EntryType::Symlink);
        b.append_link(&mut h, "libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1").unwrap();
        assert_eq!(first_entry(&b.into_inner().unwrap(), 5), Ok(Entry::Symlink("ld-musl-x86_64.so.1".into())));
    }
}
