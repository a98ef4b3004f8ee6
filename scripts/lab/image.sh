# shellcheck shell=bash
# The lab image: a Debian bookworm minbase root file system with every package
# the kubeha program installs, so its install steps are no-ops offline.
# Sourced by lab.sh. Cached as ${LAB_DIR}/image-<IMAGE_VERSION>/rootfs.

# Bump IMAGE_VERSION whenever IMAGE_PACKAGES or image_configure changes:
# hosts made from an older image must be recreated (`lab down`, then `lab up`).
IMAGE_VERSION=3
IMAGE_BASE_PACKAGES=(systemd systemd-sysv dbus openssh-server iproute2 ca-certificates curl)
IMAGE_PACKAGES=(
  openssl keepalived nginx libnginx-mod-stream etcd-server etcd-client
  containerd runc containernetworking-plugins socat conntrack iptables ebtables ethtool
  procps kmod iputils-ping gnupg apt-transport-https jq
)
# Installed, but must not start at boot: the program enables what it configures.
IMAGE_DISABLED_UNITS=(nginx.service keepalived.service etcd.service containerd.service
  apt-daily.timer apt-daily-upgrade.timer)

IMAGE_DIR="${LAB_DIR}/image-${IMAGE_VERSION}"
IMAGE_ROOTFS="${IMAGE_DIR}/rootfs"

# apt_source_uri SUITE: the first URI of this machine's apt sources serving SUITE.
apt_source_uri() {
  local suite="$1" f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "${f}" ]] || continue
    awk -v s="${suite}" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
      if ($(i + 1) == s) { print $i; exit } }' "${f}"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "${f}" ]] || continue
    awk -v s="${suite}" 'BEGIN { RS = ""; FS = "\n" }
      { uri = ""; ok = 0; deb = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:.*(^|[ \t])deb([ \t]|$)/) deb = 1
          if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
          if ($i ~ /^Suites:/) { n = split($i, b, /[ \t]+/); for (j = 2; j <= n; j++) if (b[j] == s) ok = 1 }
          if ($i ~ /^Enabled:[ \t]*no/) deb = 0
        }
        if (deb && ok && uri != "") { print uri; exit } }' "${f}"
  done | head -n 1
}

image_ready() { [[ -f "${IMAGE_DIR}/packages.txt" && -x "${IMAGE_ROOTFS}/sbin/init" ]]; }

# Unmount everything mounted below DIR (deepest first).
umount_below() {
  local dir="$1" m
  while read -r m; do
    umount -l "${m}" 2>/dev/null || true
  done < <(awk -v d="${dir}" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
}

image_ensure() {
  if image_ready; then
    log "image ${IMAGE_DIR} is cached"
    return 0
  fi
  local mirror security tmp start
  mirror="$(apt_source_uri "${LAB_SUITE}")"
  security="$(apt_source_uri "${LAB_SUITE}-security")"
  [[ -n "${mirror}" ]] || die "no apt source for ${LAB_SUITE} found in /etc/apt/sources.list*"
  tmp="${LAB_DIR}/image-${IMAGE_VERSION}.tmp"
  start="$(now)"
  mkdir -p "${LAB_DIR}"
  if [[ -e "${tmp}" ]]; then
    umount_below "${tmp}"
    rm -rf --one-file-system "${tmp}"
  fi
  mkdir -p "${tmp}"
  # shellcheck disable=SC2064 # expand now: tmp is local
  trap "umount_below '${tmp}'" EXIT

  log "image: debootstrap ${LAB_SUITE} minbase from ${mirror} (about a minute)"
  local base
  base="$(IFS=,; echo "${IMAGE_BASE_PACKAGES[*]}")"
  debootstrap --variant=minbase --include="${base}" "${LAB_SUITE}" "${tmp}/rootfs" "${mirror}" \
    >"${tmp}/debootstrap.log" 2>&1 || die "debootstrap failed, see ${tmp}/debootstrap.log"
  log "image: debootstrap done after $(elapsed "${start}")"

  local root="${tmp}/rootfs"
  {
    echo "deb ${mirror} ${LAB_SUITE} main"
    echo "deb ${mirror} ${LAB_SUITE}-updates main"
    [[ -n "${security}" ]] && echo "deb ${security} ${LAB_SUITE}-security main"
  } >"${root}/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' >"${root}/usr/sbin/policy-rc.d"
  chmod 0755 "${root}/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "${root}/etc/resolv.conf"
  mount -t proc proc "${root}/proc"
  mount -t sysfs sysfs "${root}/sys"
  mount --bind /dev "${root}/dev"
  mount --bind /dev/pts "${root}/dev/pts"

  log "image: installing ${#IMAGE_PACKAGES[@]} packages: ${IMAGE_PACKAGES[*]}"
  {
    chroot "${root}" apt-get update
    DEBIAN_FRONTEND=noninteractive chroot "${root}" apt-get install -y --no-install-recommends \
      "${IMAGE_BASE_PACKAGES[@]}" "${IMAGE_PACKAGES[@]}"
    DEBIAN_FRONTEND=noninteractive chroot "${root}" apt-get upgrade -y
  } >"${tmp}/apt.log" 2>&1 || die "apt-get in the image failed, see ${tmp}/apt.log"
  log "image: packages installed after $(elapsed "${start}")"

  image_configure "${root}"
  # shellcheck disable=SC2016 # dpkg-query's format, not shell
  chroot "${root}" dpkg-query -W -f '${Package} ${Version}\n' >"${tmp}/packages.txt"
  chroot "${root}" apt-get clean
  umount_below "${tmp}"
  trap - EXIT
  rm -f "${root}/usr/sbin/policy-rc.d"
  : >"${root}/etc/resolv.conf"
  printf '%s\n' "${IMAGE_BASE_PACKAGES[@]}" "${IMAGE_PACKAGES[@]}" >"${tmp}/requested.txt"

  mv "${tmp}" "${IMAGE_DIR}"
  log "image: ${IMAGE_DIR} built in $(elapsed "${start}"), $(du -sh "${IMAGE_ROOTFS}" | cut -f1)"
  local old
  for old in "${LAB_DIR}"/image-*; do
    [[ "${old}" == "${IMAGE_DIR}" || ! -d "${old}" ]] && continue
    log "image: older image ${old} may be removed by hand once no host uses it"
  done
}

# image_configure ROOT: everything that makes the root file system a lab host.
image_configure() {
  local root="$1"
  # Boot clean: services the program configures stay off until it enables them.
  chroot "${root}" systemctl disable "${IMAGE_DISABLED_UNITS[@]}" >/dev/null 2>&1 || true
  # Addresses come from systemd-networkd (a per-host file written by host.sh).
  chroot "${root}" systemctl enable systemd-networkd.service >/dev/null 2>&1
  chroot "${root}" systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1 || true
  chroot "${root}" systemctl enable ssh.service >/dev/null 2>&1
  image_node_prep "${root}"
  # sshd: root with a key only; host keys are made per host at its first boot.
  rm -f "${root}"/etc/ssh/ssh_host_*
  cat >"${root}/etc/ssh/sshd_config.d/10-kubeha-lab.conf" <<'EOF'
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
EOF
  mkdir -p "${root}/etc/systemd/system/ssh.service.d"
  cat >"${root}/etc/systemd/system/ssh.service.d/10-kubeha-lab-hostkeys.conf" <<'EOF'
[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
EOF
  # Each host gets its own machine id and hostname (see host.sh).
  : >"${root}/etc/machine-id"
  rm -f "${root}/var/lib/dbus/machine-id"
  echo localhost >"${root}/etc/hostname"
  # No password for root (locked); key login only.
  chroot "${root}" passwd -l root >/dev/null
  mkdir -p "${root}/root/.ssh"
  chmod 0700 "${root}/root/.ssh"
}

# image_node_prep ROOT: a unit that runs at every boot, before containerd and the kubelet,
# and makes a host fit for them (see README.md, "Kubernetes in the hosts").
image_node_prep() {
  local root="$1"
  cat >"${root}/usr/local/sbin/kubeha-lab-node-prep" <<'EOF'
#!/bin/sh
# kubeha lab: makes this host (a systemd-nspawn container) fit for containerd, runc and
# the kubelet. Runs at every boot before them (kubeha-lab-node-prep.service). Idempotent.
set -eu
# 1. systemd-nspawn mounts the cgroup v1 controllers read-only. The host has a cgroup
#    namespace rooted at its own cgroup on the machine (scripts/lab/host.sh), so what it
#    sees there is its own: make it writable for runc and the kubelet.
findmnt -rn -t cgroup -O ro -o TARGET | while read -r m; do
  mount -o remount,bind,rw "$m"
done
# 2. The kubelet refuses to start unless these machine-wide settings have its values and
#    writes them where they do not, but /proc/sys is read-only here. Show it its values:
#    a read-only file bound over each one that differs; the machine is left as it is.
mkdir -p /run/kubeha-lab/sysctl
for kv in vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1 \
  kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000; do
  key=${kv%%=*}
  value=${kv#*=}
  [ -e "/proc/sys/$key" ] || continue
  [ "$(cat "/proc/sys/$key")" = "$value" ] && continue
  file=/run/kubeha-lab/sysctl/$(echo "$key" | tr / .)
  echo "$value" >"$file"
  mount --bind -o ro "$file" "/proc/sys/$key"
done
EOF
  chmod 0755 "${root}/usr/local/sbin/kubeha-lab-node-prep"
  cat >"${root}/etc/systemd/system/kubeha-lab-node-prep.service" <<'EOF'
[Unit]
Description=kubeha lab: writable cgroups and kubelet kernel settings in this container
DefaultDependencies=no
Before=sysinit.target containerd.service kubelet.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/kubeha-lab-node-prep

[Install]
WantedBy=sysinit.target
EOF
  chroot "${root}" systemctl enable kubeha-lab-node-prep.service >/dev/null 2>&1
}
