#!/usr/bin/env bash
# The voting-app checks written the way lab platforms write verify scripts: one docker CLI
# call per fact. Used only as the baseline of the check_vs_script benchmark.
set -u
pass=0; fail=0
ok() { if [ "$1" = "$2" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $3: expected '$2', found '$1'"; fi; }

for net in frontend backend; do
  ok "$(docker network inspect -f '{{.Driver}}/{{.Scope}}' "$net" 2>/dev/null)" "overlay/swarm" "network $net"
done
ok "$(docker volume inspect -f '{{.Name}}' db-data 2>/dev/null)" "db-data" "volume db-data"

svc() { docker service inspect -f "$2" "$1" 2>/dev/null; }
running() { docker service ps "$1" --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running'; }
nets() {
  for id in $(svc "$1" '{{range .Spec.TaskTemplate.Networks}}{{.Target}} {{end}}'); do
    docker network inspect -f '{{.Name}}' "$id"
  done | sort | tr '\n' ' '
}
ports() { svc "$1" '{{range .Endpoint.Ports}}{{.PublishedPort}}:{{.TargetPort}}/{{.Protocol}} {{end}}'; }

ok "$(svc vote '{{.Spec.TaskTemplate.ContainerSpec.Image}}' | cut -d@ -f1 | sed 's/:latest$//')" "bretfisher/examplevotingapp_vote" "vote image"
[ "$(svc vote '{{.Spec.Mode.Replicated.Replicas}}')" -ge 2 ] 2>/dev/null && ok 1 1 "vote replicas" || ok 0 1 "vote replicas"
[ "$(running vote)" -ge 2 ] && ok 1 1 "vote running" || ok 0 1 "vote running"
ok "$(ports vote)" "80:80/tcp " "vote ports"
ok "$(nets vote)" "frontend " "vote networks"

ok "$(svc redis '{{.Spec.TaskTemplate.ContainerSpec.Image}}' | cut -d@ -f1)" "redis:3.2" "redis image"
[ "$(running redis)" -ge 1 ] && ok 1 1 "redis running" || ok 0 1 "redis running"
ok "$(ports redis)" "" "redis ports"
ok "$(nets redis)" "frontend " "redis networks"

ok "$(svc worker '{{.Spec.TaskTemplate.ContainerSpec.Image}}' | cut -d@ -f1 | sed 's/:latest$//')" "bretfisher/examplevotingapp_worker" "worker image"
[ "$(running worker)" -ge 1 ] && ok 1 1 "worker running" || ok 0 1 "worker running"
ok "$(ports worker)" "" "worker ports"
ok "$(nets worker)" "backend frontend " "worker networks"

ok "$(svc db '{{.Spec.TaskTemplate.ContainerSpec.Image}}' | cut -d@ -f1)" "postgres:9.4" "db image"
[ "$(running db)" -ge 1 ] && ok 1 1 "db running" || ok 0 1 "db running"
ok "$(ports db)" "" "db ports"
ok "$(nets db)" "backend " "db networks"
ok "$(svc db '{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Type}}:{{.Source}}:{{.Target}} {{end}}')" "volume:db-data:/var/lib/postgresql/data " "db mounts"

ok "$(svc result '{{.Spec.TaskTemplate.ContainerSpec.Image}}' | cut -d@ -f1 | sed 's/:latest$//')" "bretfisher/examplevotingapp_result" "result image"
[ "$(running result)" -ge 1 ] && ok 1 1 "result running" || ok 0 1 "result running"
p=$(ports result); ok "${p#*:}" "80/tcp " "result target port"
ok "$(nets result)" "backend " "result networks"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
