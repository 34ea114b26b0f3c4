//! How much a node container may do. A dockerd inside a container needs nearly everything:
//! `--privileged` gives it that where the engine allows it (Docker Desktop, most Linux
//! engines). Some engines cannot: when the machine's capability bounding set lacks a
//! capability (CAP_SYS_RESOURCE on some CI machines), runc fails a privileged container with
//! "unable to apply caps: operation not permitted". There the node gets an explicit set
//! instead: every capability the engine has but that one, no seccomp, AppArmor or masked
//! /proc paths, every device, the host's cgroup tree mounted read-write, and the inner
//! dockerd puts its containers under a cgroup parent of the node's own.

use bollard::models::{HostConfig, HostConfigCgroupnsModeEnum};

/// The privilege mode of a node container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privileges {
    /// `--privileged`.
    Privileged,
    /// All capabilities but CAP_SYS_RESOURCE, unconfined, the host's cgroups mounted.
    Capabilities,
}

impl Privileges {
    /// The label value: `privileged` or `capabilities`.
    pub fn label(self) -> &'static str {
        match self {
            Privileges::Privileged => "privileged",
            Privileges::Capabilities => "capabilities",
        }
    }

    pub fn from_label(s: &str) -> Option<Privileges> {
        match s {
            "privileged" => Some(Privileges::Privileged),
            "capabilities" => Some(Privileges::Capabilities),
            _ => None,
        }
    }

    /// Sets the privilege-related fields of a node's host config.
    pub fn apply(self, hc: &mut HostConfig) {
        match self {
            Privileges::Privileged => hc.privileged = Some(true),
            Privileges::Capabilities => {
                hc.cap_add = Some(vec!["ALL".into()]);
                hc.cap_drop = Some(vec!["SYS_RESOURCE".into()]);
                hc.security_opt = Some(vec!["seccomp=unconfined".into(), "apparmor=unconfined".into()]);
                // What the docker CLI's `--security-opt systempaths=unconfined` sends.
                hc.masked_paths = Some(Vec::new());
                hc.readonly_paths = Some(Vec::new());
                hc.device_cgroup_rules = Some(vec!["a *:* rwm".into()]);
                hc.cgroupns_mode = Some(HostConfigCgroupnsModeEnum::HOST);
                // Without it the inner containers fail: "mkdir /sys/fs/cgroup/cpuset/docker:
                // read-only file system".
                hc.binds.get_or_insert_with(Vec::new).push("/sys/fs/cgroup:/sys/fs/cgroup:rw".into());
            }
        }
    }

    /// The cgroup parent the inner dockerd uses, so its containers' cgroups are the node's
    /// own and are removed with it; none when privileged (the node has its own cgroup
    /// namespace there).
    pub fn cgroup_parent(self, container_name: &str, id: &str) -> Option<String> {
        match self {
            Privileges::Privileged => None,
            Privileges::Capabilities => Some(format!("{container_name}-{id}")),
        }
    }
}

/// True when starting a privileged container failed because the engine cannot grant every
/// capability (runc's "unable to apply caps").
pub fn refused_privileged(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("unable to apply caps") || (m.contains("privileged") && m.contains("not permitted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runc_caps_error_means_fall_back() {
        assert!(refused_privileged(
            "failed to create task for container: failed to create shim task: OCI runtime create failed: \
             runc create failed: unable to start container process: unable to apply caps: operation not permitted"
        ));
        assert!(!refused_privileged("No such image: docker:29-dind"));
    }

    #[test]
    fn capabilities_mode_is_the_verified_set() {
        let mut hc = HostConfig::default();
        Privileges::Capabilities.apply(&mut hc);
        assert_eq!(hc.privileged, None);
        assert_eq!(hc.cap_drop.as_deref(), Some(&["SYS_RESOURCE".to_string()][..]));
        assert_eq!(hc.binds.as_deref(), Some(&["/sys/fs/cgroup:/sys/fs/cgroup:rw".to_string()][..]));
        assert_eq!(
            Privileges::Capabilities.cgroup_parent("swarm-lab-p-node1", "ab12").as_deref(),
            Some("swarm-lab-p-node1-ab12")
        );
        assert_eq!(Privileges::Privileged.cgroup_parent("x", "y"), None);
        for p in [Privileges::Privileged, Privileges::Capabilities] {
            assert_eq!(Privileges::from_label(p.label()), Some(p));
        }
    }
}
