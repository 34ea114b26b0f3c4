//! Mounts a cluster leaves in the host's mount namespace (dockerd's bind mount of its data
//! root, overlay2 layers of running containers, shm and network-namespace bind mounts under
//! the exec root), found in /proc/self/mountinfo and unmounted deepest first.

use std::path::PathBuf;

use nix::mount::{umount2, MntFlags};

/// Mount points under any of `roots` (a root itself included), deepest first.
pub fn under(roots: &[PathBuf]) -> Vec<PathBuf> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut points: Vec<PathBuf> =
        parse_mount_points(&info).into_iter().filter(|p| roots.iter().any(|r| p.starts_with(r))).collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    points.dedup();
    points
}

/// Unmounts everything under `roots`, retrying a busy mount with a lazy unmount. Returns
/// the mount points that could not be unmounted with the reason.
pub fn unmount_under(roots: &[PathBuf]) -> Vec<String> {
    // A point can be mounted several times over; loop until nothing is left or we stall.
    for _ in 0..4 {
        let points = under(roots);
        if points.is_empty() {
            return Vec::new();
        }
        for p in &points {
            if umount2(p, MntFlags::empty()).is_err() {
                let _ = umount2(p, MntFlags::MNT_DETACH);
            }
        }
    }
    under(roots).into_iter().map(|p| format!("mount {}", p.display())).collect()
}

/// Mount points (field 5) of mountinfo text, with the kernel's octal escapes undone.
fn parse_mount_points(info: &str) -> Vec<PathBuf> {
    info.lines().filter_map(|l| l.split(' ').nth(4)).map(|p| PathBuf::from(unescape(p))).collect()
}

fn unescape(field: &str) -> String {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mount_points_with_escaped_spaces() {
        let info = "44 27 254:0 /x /tmp/a\\040b/n1/data rw,relatime shared:3 - ext4 /dev/vda rw\n\
                    43 42 0:4 net:[4026532177] /run/netns/psw-1 rw shared:2 - nsfs nsfs rw\n";
        assert_eq!(
            parse_mount_points(info),
            vec![PathBuf::from("/tmp/a b/n1/data"), PathBuf::from("/run/netns/psw-1")]
        );
    }

    #[test]
    fn nothing_is_mounted_under_a_fresh_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(under(&[dir.path().to_path_buf()]).is_empty());
    }
}
