# Sourced by the vote, worker and result stand-ins: reaching another service of the app by
# its name, as the real images do (they connect to "redis" and "db", names fixed in their
# code).
#
# Why tasks.NAME first: in the default endpoint mode (vip) a service's name resolves to a
# virtual IP that the kernel's IPVS balances over the tasks. A kernel without IPVS (some VMs
# and WSL setups, the machines this workbook is tested on) resolves that VIP but never
# connects to it, while the learners' own machines (with IPVS) do. tasks.NAME resolves to the
# tasks' own addresses, and only on a network the two services share, so a wrong network or
# a wrong name still breaks the flow exactly as it does with the real images. NAME itself is
# tried second (dnsrr services, plain containers, names from /etc/hosts); when neither
# resolves, the name does not resolve from here.
#
# Only busybox applets that both Debian's busybox and Alpine's (docker:dind's) have: nc
# resolves the name itself and its error says what went wrong; `timeout` bounds a peer that
# accepts and never answers, which nc's -w (lookup and connect) does not; ping tells a name
# that does not resolve from one that does not connect when nc only says "timed out".

# link NAME PORT REQUEST REPLY: sends the file REQUEST to NAME:PORT and writes the answer to
# the file REPLY. 0 when NAME answered; else 1, with LINK_WHY saying why ("name does not
# resolve", "connection refused", "timed out", …).
link() {
  _name=$1 _port=$2 _request=$3 _reply=$4
  _tasks_why='' LINK_WHY=''
  for _host in "tasks.$_name" "$_name"; do
    _try=0
    while :; do
      timeout 4 nc -w 2 "$_host" "$_port" <"$_request" >"$_reply" 2>"$_reply.err"
      _rc=$?
      if [ "$_rc" = 0 ] && [ -s "$_reply" ]; then
        rm -f "$_reply.err"
        return 0
      fi
      # Connected, and reset before any answer: the peer's listen queue (nc's is short)
      # overflowed, so the request never ran. Sent again, a little later.
      _try=$((_try + 1))
      [ "$_rc" = 0 ] && [ ! -s "$_reply.err" ] && [ "$_try" -lt 4 ] || break
      sleep 0.$_try
    done
    _err=$(cat "$_reply.err" 2>/dev/null)
    case "$_err" in
      *"bad address"*) _why="name does not resolve" ;;
      *refused*) _why="connection refused" ;;
      *"timed out"* | *timeout*) _why="timed out" ;;
      *[Uu]nreachable*) _why="network unreachable" ;;
      "") if [ "$_rc" = 0 ]; then _why="closed the connection without answering"; else _why="timed out"; fi ;;
      *) _why=$(printf '%s' "${_err#nc: }" | tr -d '\r' | head -n 1 | cut -c 1-200) ;;
    esac
    case "$_host" in
      tasks.*) _tasks_why=$_why ;;
      *) LINK_WHY=$_why ;;
    esac
  done
  rm -f "$_reply.err"
  # The task addresses' reason tells more than the VIP's (which never connects without
  # IPVS), unless tasks.NAME simply does not exist (NAME is no swarm service).
  case "$_tasks_why" in
    "" | "name does not resolve" | "timed out") ;;
    *) [ "$LINK_WHY" = "name does not resolve" ] || LINK_WHY=$_tasks_why ;;
  esac
  # nc's timeout covers the name lookup too. Offline, Docker's DNS forwards a name it does
  # not know to servers that never answer, so an unknown name times out instead of failing;
  # ping says whether the name resolved at all: it prints "PING NAME (ADDRESS)" first.
  if [ "$LINK_WHY" = "timed out" ]; then
    case "$(timeout 3 ping -c 1 -W 1 "$_name" 2>&1 | head -n 1)" in
      PING*) ;;
      "" | *"bad address"*) LINK_WHY="name does not resolve" ;;
    esac
  fi
  return 1
}
