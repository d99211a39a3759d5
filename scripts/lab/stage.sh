# shellcheck shell=bash
# Stages one lab run (sourced by scripts/xen-lab): compiles lib/ and
# test/lab/ to JavaScript on the host (ts-node and tsc would cost minutes in an
# emulated dom0), copies the run-time part of the project to /xvirt, writes
# the job, and packs it all into run.cpio, which boots appended to base.cpio.

# Runtime files of the project: everything a lab test, bench or helper may
# load. Sources are small; dev-only node_modules (tap, typescript) are not.
STAGE_DIRS=(bench bin fixtures scripts native prebuilds)
STAGE_FILES=(package.json binding.gyp)

compile_lab_js() {
  local out
  lab_log "compiling lib/ and test/lab/ with tsc"
  # tsc emits even when someone else's file has a type error; the host suite
  # (npm run typecheck) owns type errors, the lab only needs runnable JS.
  if ! out=$(cd "$REPO" && node_modules/.bin/tsc -p scripts/lab/tsconfig.json --outDir "$LAB_CACHE/js" \
               --tsBuildInfoFile "$LAB_CACHE/js/.tsbuildinfo" 2>&1); then
    lab_log "tsc reported $(grep -c 'error TS' <<< "$out") type error(s); running what it emitted. First ones:"
    head -n 10 <<< "$out" | sed 's/^/xen-lab: tsc: /' >&2
  fi
}

# Copies the compiled .js of every current .ts under lib/ and test/lab/ (a
# deleted test must not linger as stale JavaScript).
stage_js() {
  local tree=$1 f js
  while IFS= read -r f; do
    js=$LAB_CACHE/js/${f%.ts}.js
    if [ ! -f "$js" ]; then
      case $f in test/lab/*|test/support/*) lab_die "tsc produced no JavaScript for $f" ;; esac
      lab_log "warning: tsc produced no JavaScript for $f"; continue
    fi
    mkdir -p "$tree/$(dirname "$f")"
    cp "$js" "$tree/${f%.ts}.js"
  done < <(cd "$REPO" && { find lib test/lab -name '*.ts' ! -name '*.d.ts'; ls test/support/lab*.ts; } | LC_ALL=C sort)
  ln -s lib "$tree/dist" # same code as npm run build, compiled just now
}

stage_runtime() {
  local tree=$1 d f
  for f in "${STAGE_FILES[@]}"; do cp "$REPO/$f" "$tree/"; done
  for d in "${STAGE_DIRS[@]}"; do
    [ -d "$REPO/$d" ] && cp -a "$REPO/$d" "$tree/"
  done
  if [ -d "$REPO/build/Release" ]; then
    mkdir -p "$tree/build"
    (cd "$REPO/build" && find Release -path Release/obj.target -prune -o -path Release/.deps -prune \
       -o -type f -print | cpio -pdm --quiet "$tree/build")
  else
    lab_log "warning: build/Release is missing: the native addon is not built (npm install)"
  fi
  # production dependencies only
  while IFS= read -r d; do
    [ "$d" = "$REPO" ] && continue
    mkdir -p "$tree/$(dirname "${d#"$REPO"/}")"
    cp -a "$d" "$tree/${d#"$REPO"/}"
  done < <(cd "$REPO" && { npm ls --omit=dev --all --parseable 2>/dev/null || true; }) # nonzero on peer-dep noise
}

# Native binaries built by the project (addon, helpers) may need shared
# libraries the base image lacks (it has node's and the toolstack's).
stage_native_libs() {
  local root=$1 manifest=$2 f lib
  while IFS= read -r f; do
    file -b "$f" | grep -q '^ELF 64-bit.*dynamically linked' || continue
    for lib in $(ldd "$f" 2>/dev/null | awk '/=> \//{print $3}'); do
      grep -qxF ".${lib/#\/lib\//\/usr\/lib\/}" "$manifest" || copy_in "$root" "$lib"
    done
  done < <(for d in build native prebuilds; do
             [ -d "$root/xvirt/$d" ] && find "$root/xvirt/$d" -type f \( -perm -u+x -o -name '*.node' -o -name '*.so*' \)
           done)
}

# Shell-quotes a value for the busybox sh that reads job.env.
sh_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

write_job() {
  local dir=$1 f
  {
    echo "NGUESTS=$LAB_GUESTS"
    echo "GUEST_WAIT=$LAB_GUEST_WAIT"
    echo "JOB_TIMEOUT=$LAB_JOB_TIMEOUT"
    echo "export LAB_BRIDGE_IP=10.77.0.1" # dom0 on xenbr0; guests take 10.77.0.2-254
    echo "export XVIRT_LAB=1 XVIRT_LAB_USER=xvirt-user XVIRT_LAB_UID=1000 XVIRT_LAB_GID=1000"
    echo "export XVIRT_LAB_TMP=/tmp/xvirt-lab XVIRT_LAB_GUESTS='$(seq -f 'g%g' -s ' ' 1 "$LAB_GUESTS")'"
    [ -n "$LAB_SLOWDOWN" ] && echo "XVIRT_LAB_SLOWDOWN=$LAB_SLOWDOWN"
    for f in "${LAB_ENV[@]}"; do echo "export ${f%%=*}=$(sh_quote "${f#*=}")"; done
  } > "$dir/job.env"
  case $LAB_MODE in
    tests)
      # No --test-timeout: node applies it to each file as a whole. Each test
      # has its own budget, scaled by dom0's calibration (test/support/lab.ts);
      # the job's bound (scaled too) covers the rest.
      { printf 'exec node --test --test-concurrency=1 --test-reporter=tap'
        for f in "${LAB_FILES[@]}"; do printf ' %s' "$(sh_quote "${f%.ts}.js")"; done
        echo; } > "$dir/job.sh" ;;
    bench)
      { echo 'rc=0'
        for f in "${LAB_FILES[@]}"; do
          echo "echo \"== $f\"; node $(sh_quote "$f") || { echo \"== $f FAILED (exit \$?)\"; rc=1; }"
        done
        echo 'exit $rc'; } > "$dir/job.sh" ;;
    run) printf '%s\n' "$LAB_COMMAND" > "$dir/job.sh" ;;
  esac
}

# Builds $LAB_CACHE/run/initrd.cpio = base.cpio + this run's files.
stage_run() {
  local base=$1 run=$LAB_CACHE/run
  compile_lab_js
  rm -rf "$run" && mkdir -p "$run/root/xvirt" "$run/root/xenlab"
  stage_js "$run/root/xvirt"
  stage_runtime "$run/root/xvirt"
  stage_native_libs "$run/root" "$base/manifest"
  write_job "$run/root/xenlab"
  cp "$LAB_SRC/dom0-init" "$run/root/init" && chmod 755 "$run/root/init"
  (cd "$run/root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$run/run.cpio" ||
    lab_die "cpio of the project tree failed"
  cat "$base/base.cpio" "$run/run.cpio" > "$run/initrd.cpio"
  rm -rf "$run/root"
}
