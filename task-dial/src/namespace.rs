//! Connecting from inside another network namespace (Linux): a fresh thread joins the
//! namespace (`setns`, which changes only the calling thread's namespace), connects, and
//! hands the socket back; a socket keeps the namespace it was made in, so the async side
//! uses it like any other. A fresh thread each time, never a pooled one (tokio's blocking
//! pool would keep the foreign namespace for the next job). Needs CAP_SYS_ADMIN (root).

use std::fs::File;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use nix::sched::{setns, CloneFlags};

/// Connects to `port` from inside the network namespace `ns` (`/proc/PID/ns/net`):
/// `127.0.0.1`, then `::1`, then each address of the namespace's interfaces (a server may
/// listen on one address only). Fails with the loopback attempt's error when none accepts.
pub(crate) async fn connect_in(ns: PathBuf, port: u16, timeout: Duration) -> io::Result<tokio::net::TcpStream> {
    let file = File::open(&ns)?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new().name("task-netns".into()).spawn(move || {
        let _ = tx.send(connect_from(&file, port, timeout));
    })?;
    let stream = rx.await.map_err(|_| io::Error::other("the namespace thread ended without an answer"))??;
    stream.set_nonblocking(true)?;
    tokio::net::TcpStream::from_std(stream)
}

fn connect_from(ns: &File, port: u16, timeout: Duration) -> io::Result<TcpStream> {
    setns(ns, CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
    let mut first: Option<io::Error> = None;
    for ip in [IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)].into_iter().chain(own_addresses()) {
        match TcpStream::connect_timeout(&SocketAddr::new(ip, port), timeout) {
            Ok(s) => return Ok(s),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or_else(|| io::Error::from(io::ErrorKind::ConnectionRefused)))
}

/// The addresses of this thread's namespace's interfaces, loopback and link-local left out.
fn own_addresses() -> Vec<IpAddr> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else { return Vec::new() };
    let mut ips: Vec<IpAddr> = addrs
        .filter_map(|a| {
            let sa = a.address?;
            if let Some(v4) = sa.as_sockaddr_in() {
                return Some(IpAddr::V4(v4.ip()));
            }
            sa.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
        })
        .filter(|ip| {
            !ip.is_loopback()
                && !ip.is_unspecified()
                && !matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80)
        })
        .collect();
    ips.dedup();
    ips
}
