//! The swarm as it will be once the fixes planned so far have run: a copy of the snapshot
//! that each planned command changes the way the engine would (a created service has all
//! its tasks running on this node, a removed network is gone). The evaluators grade this
//! copy, so a check that an earlier check's fix already repairs gets no second command, and
//! no fix undoes an earlier one.

use super::spec::ServiceSpec;
use lab_grader::evaluate::{name_matches, Ctx};
use lab_grader::snapshot::Snapshot;
use serde_json::{json, Value};

pub(crate) struct Model {
    pub snap: Snapshot,
    next: u64,
}

/// Ids of objects the model made up start with this, so a command never names one.
pub(crate) const PLANNED: &str = "planned-";

fn from_json<T: serde::de::DeserializeOwned + Default>(v: Value) -> T {
    serde_json::from_value(v).unwrap_or_default()
}

impl Model {
    pub fn new(snap: &Snapshot) -> Model {
        let top = snap.tasks.iter().filter_map(|t| t.version.as_ref()?.index).max().unwrap_or(0);
        Model { snap: snap.clone(), next: top + 1 }
    }

    fn id(&mut self, kind: &str) -> String {
        self.next += 1;
        format!("{PLANNED}{kind}-{}", self.next)
    }

    pub fn ctx(&self) -> Ctx<'_> {
        Ctx::new(&self.snap)
    }

    /// The spec of the service called exactly `name`.
    pub fn spec(&self, name: &str) -> Option<ServiceSpec> {
        let ctx = self.ctx();
        let svc = self.snap.services.iter().find(|s| Ctx::service_name(s) == name)?;
        Some(ServiceSpec::from_service(&ctx, svc))
    }

    pub fn service_names(&self) -> Vec<String> {
        self.snap.services.iter().map(|s| Ctx::service_name(s).to_string()).collect()
    }

    /// The real name of the network a lab calls `name`.
    pub fn network_name(&self, name: &str) -> Option<String> {
        self.snap
            .networks
            .iter()
            .find(|n| name_matches(n.name.as_deref().unwrap_or(""), n.labels.as_ref(), name))
            .and_then(|n| n.name.clone())
    }

    /// Creates the service, or replaces the one of that name, with every task running.
    pub fn put_service(&mut self, s: &ServiceSpec) {
        let old = self.snap.services.iter().position(|x| Ctx::service_name(x) == s.name);
        let (id, labels) = match old.map(|i| self.snap.services.remove(i)) {
            Some(o) => (o.id.unwrap_or_default(), o.spec.and_then(|sp| sp.labels)),
            None => (self.id("service"), None),
        };
        let net_id = |n: &str| {
            self.snap
                .networks
                .iter()
                .find(|x| x.name.as_deref() == Some(n))
                .and_then(|x| x.id.clone())
                .unwrap_or_else(|| n.to_string())
        };
        let port = |p: &super::spec::Port| json!({"Protocol": p.protocol, "TargetPort": p.target, "PublishedPort": p.published.unwrap_or(0), "PublishMode": p.mode});
        let mode = if s.global { json!({"Global": {}}) } else { json!({"Replicated": {"Replicas": s.replicas}}) };
        let svc = json!({
            "ID": id,
            "Spec": {
                "Name": s.name,
                "Labels": labels,
                "Mode": mode,
                "TaskTemplate": {
                    "ContainerSpec": {
                        "Image": s.image,
                        "Command": s.entrypoint,
                        "Args": s.args,
                        "Env": s.env.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
                        "Mounts": s.mounts.iter().map(|m| json!({"Type": m.kind, "Source": m.source, "Target": m.target, "ReadOnly": m.readonly})).collect::<Vec<_>>(),
                        "Secrets": s.secrets.iter().map(|(n, t)| json!({"SecretName": n, "File": {"Name": t}})).collect::<Vec<_>>(),
                        "Configs": s.configs.iter().map(|(n, t)| json!({"ConfigName": n, "File": {"Name": t}})).collect::<Vec<_>>(),
                    },
                    "Networks": s.networks.iter().map(|n| json!({"Target": net_id(n)})).collect::<Vec<_>>(),
                    "Placement": {"Constraints": s.constraints},
                },
                "EndpointSpec": {"Mode": if s.dnsrr { "dnsrr" } else { "vip" }, "Ports": s.ports.iter().map(port).collect::<Vec<_>>()},
            },
            "Endpoint": {"Ports": s.ports.iter().map(port).collect::<Vec<_>>()},
        });
        self.snap.services.push(from_json(svc));
        self.snap.tasks.retain(|t| t.service_id.as_deref() != Some(id.as_str()));
        let here = self.snap.this_node_id();
        let places: Vec<(i64, String)> = if s.global {
            self.snap.nodes.iter().filter_map(|n| n.id.clone()).map(|n| (0, n)).collect()
        } else {
            (1..=s.replicas as i64).map(|i| (i, here.clone())).collect()
        };
        for (slot, node) in places {
            self.running_task(&id, slot, &node);
        }
        for m in s.mounts.iter().filter(|m| m.kind == "volume" && !m.source.is_empty()) {
            if !self.snap.volumes.iter().any(|v| v.name == m.source) {
                let v = json!({"Name": m.source, "Driver": "local", "Mountpoint": "", "Labels": {}, "Scope": "local", "Options": {}});
                self.snap.volumes.push(from_json(v));
            }
        }
    }

    fn running_task(&mut self, service_id: &str, slot: i64, node: &str) {
        let task = json!({
            "ID": self.id("task"),
            "Version": {"Index": self.next},
            "ServiceID": service_id,
            "Slot": slot,
            "NodeID": node,
            "DesiredState": "running",
            "Status": {"State": "running"},
        });
        self.snap.tasks.push(from_json(task));
    }

    pub fn remove_service(&mut self, name: &str) {
        let ids: Vec<String> =
            self.snap.services.iter().filter(|s| Ctx::service_name(s) == name).filter_map(|s| s.id.clone()).collect();
        self.snap.services.retain(|s| Ctx::service_name(s) != name);
        self.snap.tasks.retain(|t| !t.service_id.as_ref().is_some_and(|i| ids.contains(i)));
    }

    pub fn put_network(
        &mut self,
        name: &str,
        driver: &str,
        scope: &str,
        attachable: bool,
        internal: bool,
        encrypted: bool,
    ) {
        let options = if encrypted { json!({"encrypted": ""}) } else { json!({}) };
        let id = self.id("network");
        let n = json!({"Name": name, "Id": id, "Driver": driver, "Scope": scope, "Attachable": attachable, "Internal": internal, "Options": options});
        self.snap.networks.push(from_json(n));
    }

    pub fn remove_network(&mut self, name: &str) {
        self.snap.networks.retain(|n| n.name.as_deref() != Some(name));
    }

    /// The container of one running task of `service` dies and swarm starts a new task in
    /// its slot, as after `docker container rm -f`.
    pub fn kill_one_task(&mut self, service: &str) {
        let Some(id) = self.snap.services.iter().find(|s| Ctx::service_name(s) == service).and_then(|s| s.id.clone())
        else {
            return;
        };
        let Some(t) = self.snap.tasks.iter_mut().find(|t| {
            t.service_id.as_deref() == Some(id.as_str())
                && t.status.as_ref().and_then(|s| s.state) == Some(bollard::models::TaskState::RUNNING)
        }) else {
            return;
        };
        t.desired_state = Some(bollard::models::TaskState::SHUTDOWN);
        if let Some(st) = t.status.as_mut() {
            st.state = Some(bollard::models::TaskState::FAILED);
        }
        let (slot, node) = (t.slot.unwrap_or(0), t.node_id.clone().unwrap_or_default());
        self.running_task(&id, slot, &node);
    }

    /// The node becomes a reachable manager.
    pub fn promote(&mut self, node_id: &str) {
        if let Some(n) = self.snap.nodes.iter_mut().find(|n| n.id.as_deref() == Some(node_id)) {
            let spec = n.spec.get_or_insert_with(Default::default);
            spec.role = Some(bollard::models::NodeSpecRoleEnum::MANAGER);
            let ms = n.manager_status.get_or_insert_with(Default::default);
            ms.reachability = Some(bollard::models::Reachability::REACHABLE);
            ms.leader.get_or_insert(false);
        }
    }

    pub fn demote(&mut self, node_id: &str) {
        if let Some(n) = self.snap.nodes.iter_mut().find(|n| n.id.as_deref() == Some(node_id)) {
            n.spec.get_or_insert_with(Default::default).role = Some(bollard::models::NodeSpecRoleEnum::WORKER);
            n.manager_status = None;
        }
    }

    pub fn set_availability(&mut self, node_id: &str, availability: &str) {
        if let Some(n) = self.snap.nodes.iter_mut().find(|n| n.id.as_deref() == Some(node_id)) {
            n.spec.get_or_insert_with(Default::default).availability = availability.parse().ok();
        }
    }
}
