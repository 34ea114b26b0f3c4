//! Whether the routing mesh carries traffic on this kernel, and which commands need it.
//!
//! Ingress-published ports and service VIPs are balanced by IPVS. On a kernel without it
//! (these test machines) such services converge and inspect normally, but connections to
//! their published ports are refused. The tests find out at run time, on the node a command
//! runs on, and skip by name only the commands that need the mesh.

use private_swarm::{HarnessError, Node};

/// True when IPVS is in the kernel, seen from inside `node`'s network namespace:
/// `/proc/net/ip_vs` exists in every namespace while the `ip_vs` code is in the kernel
/// (built in, or a module: by the time a command probes a published port, the engine has
/// programmed that service's VIP, which loads the module on demand).
pub fn has_ipvs(node: &Node) -> bool {
    node.in_netns("test", &["-e", "/proc/net/ip_vs"]).is_ok()
}

/// The published ports of every service that go through the routing mesh (ingress mode),
/// read from a manager.
pub fn ingress_ports(manager: &Node) -> Result<Vec<u16>, HarnessError> {
    let ids = manager.docker(&["service", "ls", "-q"])?;
    let ids: Vec<&str> = ids.split_whitespace().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec![
        "service",
        "inspect",
        "--format",
        r#"{{range .Endpoint.Ports}}{{.PublishMode}} {{.PublishedPort}}{{"\n"}}{{end}}"#,
    ];
    args.extend(ids);
    let out = manager.docker(&args)?;
    Ok(out.lines().filter_map(|l| l.strip_prefix("ingress ")).filter_map(|p| p.trim().parse().ok()).collect())
}
