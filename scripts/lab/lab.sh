#!/usr/bin/env bash
# kubeha lab: real Debian hosts on this machine (systemd-nspawn on a bridge).
# Usage: npm run lab -- up | down | status [--json] | ssh HOST [CMD...] |
#                       stop HOST | start HOST | rebuild HOST | image
# See scripts/lab/README.md.
set -euo pipefail

LAB_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lab/common.sh
. "${LAB_HERE}/common.sh"
# shellcheck source=scripts/lab/image.sh
. "${LAB_HERE}/image.sh"
# shellcheck source=scripts/lab/net.sh
. "${LAB_HERE}/net.sh"
# shellcheck source=scripts/lab/host.sh
. "${LAB_HERE}/host.sh"
# shellcheck source=scripts/lab/config.sh
. "${LAB_HERE}/config.sh"
# shellcheck source=scripts/lab/status.sh
. "${LAB_HERE}/status.sh"
# shellcheck source=scripts/lab/updown.sh
. "${LAB_HERE}/updown.sh"

usage() {
  cat >&2 <<'EOF'
usage: npm run lab -- COMMAND
  up                 build the image if needed, start every missing host, wait for SSH,
                     write Pulumi.lab.yaml (KUBEHA_LAB_LB=dedicated adds lb1, lb2;
                     KUBEHA_LAB_WORKERS=N makes N workers, default 2)
  down               remove the hosts, their disks, the bridge (keeps image and key)
  status [--json]    hosts, VIP holder, nginx/keepalived, etcd leader
  ssh HOST [CMD...]  ssh as root into a host (interactive without CMD)
  stop HOST          hard power-off of a host (its disk stays)
  start HOST         boot a stopped host again
  rebuild HOST       replace a host by a fresh one (same name and address, empty disk), booted:
                     a machine reinstalled after a failure
  freeze HOST        stop every process of a host where it stands (a hung machine)
  thaw HOST          let a frozen host go on
  image              only build the cached image
EOF
  exit 2
}

need_host() {
  [[ $# -ge 1 && -n "$1" ]] || usage
  known_host "$1" || die "unknown host '$1' (hosts: $(lab_host_names | xargs))"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "${cmd}" in
    up) lab_up ;;
    down) lab_down ;;
    status)
      require_root
      status_main "$@"
      ;;
    ssh)
      need_host "${1:-}"
      local addr
      addr="$(host_address "$1")"
      shift
      if [[ $# -eq 0 && -t 0 ]]; then
        exec ssh -t "${SSH_OPTS[@]}" "root@${addr}"
      fi
      exec ssh "${SSH_OPTS[@]}" "root@${addr}" "$@"
      ;;
    stop)
      need_host "${1:-}"
      require_root
      local t
      t="$(now)"
      host_stop "$1"
      log "stop $1 took $(elapsed "${t}")"
      ;;
    start)
      need_host "${1:-}"
      lab_start_host "$1"
      ;;
    rebuild)
      need_host "${1:-}"
      require_root
      host_remove "$1"
      lab_start_host "$1"
      ;;
    freeze | thaw)
      need_host "${1:-}"
      require_root
      "host_${cmd}" "$1"
      log "$1: ${cmd} done"
      ;;
    image)
      require_root
      ensure_machine_tools
      image_ensure
      ;;
    -h | --help | help | "") usage ;;
    *)
      echo "unknown command '${cmd}'" >&2
      usage
      ;;
  esac
}

main "$@"
