# shellcheck shell=bash
# Debian packages the lab needs (sourced by scripts/xen-lab). Installs the
# missing ones as root, with services kept from starting; fails loudly otherwise.
LAB_PACKAGES=(
  xen-hypervisor-4.17-amd64   # /boot/xen-4.17-amd64.gz
  xen-utils-4.17              # xl, xenstored, xenconsoled, xen-init-dom0 + libs
  xenstore-utils              # xenstore-read & co. (dom0 waits on xenstored with it)
  linux-image-amd64           # the PV dom0 kernel and its Xen modules
  qemu-system-x86             # the machine (plus seabios, multiboot_dma.bin)
  busybox-static              # dom0 userland
  libxen-dev                  # Xen public headers for the tinypv guest
  gcc libc6-dev binutils      # tinypv, run-as-user and run-in-pty
  libvirt-clients             # virsh, copied into dom0 to drive xvirtd there
  cpio xz-utils file          # initramfs, vmlinux extraction
)

ensure_packages() {
  local p missing=() created_policy=0 policy=/usr/sbin/policy-rc.d
  for p in "${LAB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || lab_die "missing packages: ${missing[*]}; run as root once (sudo $0) to install them"
  lab_log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || lab_die "apt-get update failed"
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1; fi
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
    [ $created_policy = 1 ] && rm -f "$policy"
    lab_die "apt-get install ${missing[*]} failed"
  fi
  [ $created_policy = 1 ] && rm -f "$policy"
  for p in "${missing[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || lab_die "package $p is still not installed"
  done
}
