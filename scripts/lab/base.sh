# shellcheck shell=bash
# Builds the cached, rarely changing boot pieces of the lab (sourced by scripts/xen-lab):
#   xen.elf       the hypervisor, gunzipped (QEMU's multiboot loader wants the ELF32)
#   vmlinux       the dom0 kernel, un-xz'd from the bzImage (saves Xen ~2.4 s of
#                 emulated decompression per boot)
#   base.cpio     an uncompressed initramfs: busybox, the 5 Xen modules, the toolstack
#                 (cxenstored, xenconsoled, xen-init-dom0, xl, xenstore-*) with its libs,
#                 node with its libs, tinypv guest, run-as-user, passwd/group,
#                 virsh with its libs and run-in-pty (virsh console wants a terminal);
#                 the backends (blkback, netback, bridge, loop) with the lab's
#                 hotplug scripts (hotplug/), and a Linux PV guest: dom0's
#                 kernel as /guest/vmlinux + /guest/linux-initrd.cpio (linuxpv/).
#                 Uncompressed on purpose: dom0 would gunzip it under TCG.
# The cache key covers package versions, the node binary and these sources, so
# a rerun with nothing changed reuses the directory as is.

XEN_BIN=/usr/lib/xen-4.17/bin
XEN_MODULES=(xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc) # load order: xenfs needs privcmd
# dom0's backends for real guests (load order: bridge needs stp needs llc)
BACKEND_MODULES=(llc stp bridge loop xen-blkback xen-netback)
# the Linux PV guest's frontends (its kernel is dom0's)
FRONTEND_MODULES=(xen-blkfront xen-netfront)

lab_kernel_version() {
  local v
  v=$(find /boot -maxdepth 1 -name 'vmlinuz-*-amd64' -printf '%f\n' | sed 's/^vmlinuz-//' | sort -V | tail -1)
  [ -n "$v" ] || lab_die "no /boot/vmlinuz-*-amd64 (is linux-image-amd64 installed?)"
  echo "$v"
}

base_key() {
  local kver=$1
  {
    dpkg-query -W -f='${Package} ${Version}\n' xen-hypervisor-4.17-amd64 xen-utils-4.17 \
      xenstore-utils busybox-static libc6 libvirt-clients "linux-image-$kver" 2>/dev/null
    stat -L -c '%s %Y %n' "$(command -v node)"
    cat "$LAB_SRC/base.sh" "$LAB_SRC/run-as-user.c" "$LAB_SRC/run-in-pty.c" \
      "$LAB_SRC"/tinypv/* "$LAB_SRC"/hotplug/* "$LAB_SRC"/linuxpv/*
  } | sha256sum | cut -c1-16
}

# Copies a file (following symlinks) to the same path under $root. /lib and
# /lib64 are symlinks into /usr in the image, as on a merged-/usr host.
copy_in() {
  local root=$1 f=$2 dest
  dest=$root$(echo "$f" | sed -e 's#^/lib/#/usr/lib/#' -e 's#^/lib64/#/usr/lib64/#')
  [ -e "$dest" ] && return 0
  mkdir -p "$(dirname "$dest")"
  cp -L "$f" "$dest"
}

# Copies every shared library ldd names for the given binaries.
copy_libs_of() {
  local root=$1; shift
  local f lib
  for f in "$@"; do
    for lib in $(ldd "$f" | awk '/=> \//{print $3} /^\t\/[^ ]*ld-linux/{print $1}'); do
      copy_in "$root" "$lib"
    done
  done
}

# Copies binaries (same path) plus their shared libraries.
copy_with_libs() {
  local root=$1 f; shift
  for f in "$@"; do copy_in "$root" "$f"; done
  copy_libs_of "$root" "$@"
}

build_tinypv() {
  local out=$1 b=$2/tinypv-build
  mkdir -p "$b/inc" && ln -sfn /usr/include/xen "$b/inc/xen"
  [ -e /usr/include/xen/xen.h ] || lab_die "Xen public headers missing (/usr/include/xen, package libxen-dev)"
  gcc -c -o "$b/head.o" "$LAB_SRC/tinypv/head.S"
  gcc -O2 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=large -fno-stack-protector \
      -fcf-protection=none -nostdinc -isystem "$(gcc -print-file-name=include)" -I"$b/inc" \
      -Wall -Wextra -Werror -c -o "$b/tinypv.o" "$LAB_SRC/tinypv/tinypv.c"
  ld -nostdlib -static -no-pie -z noexecstack --no-warn-rwx-segments -T "$LAB_SRC/tinypv/tinypv.ld" \
     -o "$out" "$b/head.o" "$b/tinypv.o"
}

# Copies kernel modules by name (uncompressed .ko, flat in /lib/modules).
copy_modules() {
  local root=$1 kver=$2 m f; shift 2
  mkdir -p "$root/lib/modules"
  for m in "$@"; do
    f=$(find "/lib/modules/$kver/kernel" -name "$m.ko*" | head -1)
    [ -n "$f" ] || lab_die "kernel module $m missing in /lib/modules/$kver"
    case $f in *.ko) ;; *) lab_die "$f is compressed; busybox insmod needs plain .ko";; esac
    cp "$f" "$root/lib/modules/$m.ko"
  done
}

# The Linux PV guest's initramfs (uncompressed; the guest would gunzip it
# under TCG): busybox with its init, the frontends, linuxpv/{inittab,rc,rc.shutdown}.
build_guest_initrd() {
  local out=$1 kver=$2 g=$3 f
  mkdir -p "$g"/{bin,sbin,etc,proc,sys,dev,tmp,root}
  cp /bin/busybox "$g/bin/busybox"
  for f in $(/bin/busybox --list); do [ "$f" = busybox ] || ln -s busybox "$g/bin/$f"; done
  for f in init poweroff reboot halt; do ln -s ../bin/busybox "$g/sbin/$f"; done
  ln -s bin/busybox "$g/init"
  copy_modules "$g" "$kver" "${FRONTEND_MODULES[@]}"
  cp "$LAB_SRC/linuxpv/inittab" "$LAB_SRC/linuxpv/rc" "$LAB_SRC/linuxpv/rc.shutdown" "$g/etc/"
  chmod 755 "$g/etc/rc" "$g/etc/rc.shutdown"
  (cd "$g" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out" ||
    lab_die "cpio of the guest initramfs failed"
  rm -rf "$g"
}

extract_vmlinux() {
  local bz=$1 out=$2 off
  # The bzImage payload is an xz stream; find its magic (FD 37 7A 58 5A 00).
  off=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$bz" | cut -d: -f1)
  [ -n "$off" ] || lab_die "no xz payload in $bz"
  # xz stops at the end of the stream, so tail may die of SIGPIPE: expected
  { tail -c +$((off + 1)) "$bz" || true; } | xz -dc --single-stream > "$out"
  file -b "$out" | grep -q '^ELF 64-bit' || lab_die "extracted $out is not an ELF kernel"
}

build_base_root() {
  local root=$1 kver=$2 work=$3 m f
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib,usr/lib64,etc/xen,guest,proc,sys,dev,run,tmp,var/lib/xen,var/log/xen,root}
  ln -s usr/lib "$root/lib" && ln -s usr/lib64 "$root/lib64" && ln -s ../run "$root/var/run"
  cp /bin/busybox "$root/bin/busybox"
  for f in $(/bin/busybox --list); do [ "$f" = busybox ] || ln -s busybox "$root/bin/$f"; done
  copy_modules "$root" "$kver" "${XEN_MODULES[@]}" "${BACKEND_MODULES[@]}"
  mkdir -p "$root$XEN_BIN"
  # libxl-save-helper: xl save/restore run it for the memory stream
  copy_with_libs "$root" "$XEN_BIN"/{xl,xenstored,xenconsoled,xen-init-dom0,xenstore-control,libxl-save-helper} \
    /usr/bin/xenstore
  mkdir -p "$root/etc/xen/scripts"
  cp "$LAB_SRC"/hotplug/* "$root/etc/xen/scripts/" # xl's default hotplug scripts: block, vif-bridge
  # xl's pthread_cancel dlopen()s libgcc_s; ldd does not list it.
  copy_in "$root" /lib/x86_64-linux-gnu/libgcc_s.so.1
  for f in read write ls list rm exists chmod watch; do ln -s xenstore "$root/usr/bin/xenstore-$f"; done
  # node, stripped of its debug info: 13 MB less to load into dom0
  strip -o "$root/usr/bin/node" "$(command -v node)"
  copy_libs_of "$root" "$(command -v node)"
  gcc -O2 -Wall -Wextra -Werror -o "$root/usr/bin/run-as-user" "$LAB_SRC/run-as-user.c"
  gcc -O2 -Wall -Wextra -Werror -o "$root/usr/bin/run-in-pty" "$LAB_SRC/run-in-pty.c"
  copy_libs_of "$root" "$root/usr/bin/run-as-user" "$root/usr/bin/run-in-pty"
  # libvirt's own client, to drive xvirtd in dom0 as users do (~60 MB with its
  # libraries, ICU's data the largest); the remote driver is inside libvirt.so
  copy_with_libs "$root" /usr/bin/virsh
  build_tinypv "$root/guest/tinypv.elf" "$work"
  cp "$work/vmlinux" "$root/guest/vmlinux" # uncompressed: xl would un-xz a bzImage under TCG at every start
  build_guest_initrd "$root/guest/linux-initrd.cpio" "$kver" "$work/guest-root"
  : > "$root/etc/xen/xl.conf"
  printf 'root:x:0:0:root:/root:/bin/sh\nxvirt-user:x:1000:1000:xvirt lab user:/tmp/xvirt-user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nxvirt-user:x:1000:\nnogroup:x:65534:\n' > "$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files\n' > "$root/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
  chmod 1777 "$root/tmp"
}

# Sets LAB_BASE to the cache directory holding xen.elf, vmlinux, base.cpio, manifest.
build_base() {
  local kver key dir work
  kver=$(lab_kernel_version)
  key=$(base_key "$kver")
  dir=$LAB_CACHE/base-$key
  LAB_BASE=$dir # read by scripts/xen-lab
  export LAB_BASE
  [ -s "$dir/base.cpio" ] && [ -s "$dir/manifest" ] && [ -s "$dir/xen.elf" ] && [ -s "$dir/vmlinux" ] && return 0
  lab_log "building boot images (kernel $kver) into $dir"
  rm -rf "$LAB_CACHE"/base-* "$dir.tmp"
  work=$dir.tmp
  mkdir -p "$work"
  zcat /boot/xen-4.17-amd64.gz > "$work/xen.elf" || lab_die "cannot gunzip /boot/xen-4.17-amd64.gz"
  extract_vmlinux "/boot/vmlinuz-$kver" "$work/vmlinux"
  build_base_root "$work/root" "$kver" "$work" || lab_die "building the dom0 base image failed"
  (cd "$work/root" && find . -mindepth 1 | LC_ALL=C sort > "$work/manifest" &&
   cpio -o -H newc -R 0:0 --quiet < "$work/manifest") > "$work/base.cpio" || lab_die "cpio of the base image failed"
  rm -rf "$work/root" "$work/tinypv-build"
  mv "$work" "$dir"
}
