#!/usr/bin/env bash
# Build local test images shark-test/busybox:latest and shark-test/busybox:alt
# from Debian's busybox-static, with no registry access and no root needed.
# SHARK_TEST_IMAGE (as the tests read it) names the main image instead; :alt
# is made beside it. Idempotent: if both images already exist (and
# SHARK_REBUILD_BASE is not 1) it just prints the id. test/docker/rig.ts runs
# it when the image is missing.
set -euo pipefail

if [[ -n "${SHARK_TEST_IMAGE:-}" ]]; then
  MAIN="$SHARK_TEST_IMAGE"
  IMAGE="${MAIN%:*}"
  [[ "$IMAGE" == "$MAIN" || "${MAIN##*:}" == */* ]] && { IMAGE="$MAIN"; MAIN="$MAIN:latest"; }
else
  IMAGE="${SHARK_TEST_IMAGE_REPO:-shark-test/busybox}"
  MAIN="$IMAGE:latest"
fi
BUSYBOX="${BUSYBOX:-/bin/busybox}"

# Test files start in parallel and may all find the image missing: build once.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/shark-make-base-image.lock"
  flock 9
fi

if [[ "${SHARK_REBUILD_BASE:-0}" != 1 ]] \
   && docker image inspect "$MAIN" >/dev/null 2>&1 \
   && docker image inspect "$IMAGE:alt" >/dev/null 2>&1; then
  docker image inspect -f '{{.Id}}' "$MAIN"
  exit 0
fi

if ! [[ -x "$BUSYBOX" ]] || ! "$BUSYBOX" true >/dev/null 2>&1; then
  echo "make-base-image: $BUSYBOX not found (apt-get install busybox-static)" >&2
  exit 1
fi
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "make-base-image: $BUSYBOX is dynamically linked; install busybox-static" >&2
  exit 1
fi

work="$(mktemp -d /tmp/shark-base-image.XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,data,var/tmp,home}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"
cp "$BUSYBOX" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
# A link to /bin/busybox for every applet (what `busybox --install -s` does
# in a chroot, without needing root).
"$BUSYBOX" --list-full | while IFS= read -r applet; do
  [[ -z "$applet" || "$applet" == bin/busybox ]] && continue
  mkdir -p "$root/$(dirname "$applet")"
  [[ -e "$root/$applet" ]] || ln -s /bin/busybox "$root/$applet"
done
# Make sure the essentials exist even if an applet is missing from the build.
for a in sh cat echo cp mkdir ls sleep wc sort true false test tr head tail sed awk grep \
         touch rm mv env id date seq xargs find md5sum sha256sum wget nc ip ping; do
  if ! [[ -e "$root/bin/$a" || -e "$root/usr/bin/$a" || -e "$root/sbin/$a" || -e "$root/usr/sbin/$a" ]]; then
    echo "make-base-image: warning: applet $a not available in busybox" >&2
  fi
done
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$root/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
echo 'hosts: files dns' > "$root/etc/nsswitch.conf"
: > "$root/etc/hosts"
: > "$root/etc/resolv.conf"
echo shark-test > "$root/etc/hostname"

# Deterministic mtimes so a re-import yields the same layer content.
find "$root" -exec touch -h -d '2020-01-01T00:00:00Z' {} +

tar --numeric-owner --owner=0 --group=0 -C "$root" -c . \
  | docker import \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'CMD ["/bin/sh"]' \
      -m 'shark test base (busybox-static)' \
      - "$MAIN" >/dev/null

# :alt differs by one extra file, to simulate a base tag moving.
echo "shark alt base image" > "$root/etc/shark-alt"
touch -h -d '2020-01-01T00:00:00Z' "$root/etc/shark-alt" "$root/etc"
tar --numeric-owner --owner=0 --group=0 -C "$root" -c . \
  | docker import \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'CMD ["/bin/sh"]' \
      -m 'shark test base (busybox-static, alt)' \
      - "$IMAGE:alt" >/dev/null

echo "make-base-image: $IMAGE:alt = $(docker image inspect -f '{{.Id}}' "$IMAGE:alt")" >&2
docker image inspect -f '{{.Id}}' "$MAIN"
