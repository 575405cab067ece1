#!/usr/bin/env bash
# A throwaway S3 store for the team tests: Ceph's S3 gateway (radosgw) from Debian's packages over a
# single-node cluster (one monitor, one OSD on the in-memory object store, no auth inside the
# cluster) in a temp folder. Debian 12 ships Ceph 16, whose radosgw has no standalone database
# back end yet, so the smallest real cluster is a monitor and a memstore OSD.
#
#   test/team/start-s3.sh [DIR]   starts it; prints KEY=VALUE lines (S3_ENDPOINT, S3_ACCESS_KEY,
#                                 S3_SECRET_KEY, S3_REGION, S3_DIR) and the last line READY
#   test/team/start-s3.sh stop DIR   stops every daemon it started and removes DIR
#
# Needs: radosgw, ceph-mon, ceph-osd (apt-get install -y radosgw ceph-mon ceph-osd). Exit 3 when
# they are missing, so callers can tell "cannot run here" from "broke".
set -euo pipefail

stop_cluster() {
  local dir="$1"
  [ -d "$dir" ] || return 0
  for name in rgw osd mon; do
    if [ -f "$dir/$name.pid" ]; then
      local pid
      pid=$(cat "$dir/$name.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$dir"
}

if [ "${1:-}" = stop ]; then
  stop_cluster "${2:?usage: start-s3.sh stop DIR}"
  exit 0
fi

for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "start-s3: $tool is not installed (apt-get install -y radosgw ceph-mon ceph-osd)" >&2
    exit 3
  fi
done

DIR="${1:-$(mktemp -d /tmp/em-s3.XXXXXX)}"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
trap 'echo "start-s3: failed; logs in $DIR/log" >&2; tail -n 20 "$DIR"/log/*.log >&2 2>/dev/null || true; stop_cluster "$DIR"' ERR

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

MON_PORT=$(free_port)
RGW_PORT=$(free_port)
FSID=$(cat /proc/sys/kernel/random/uuid)
mkdir -p "$DIR/mon" "$DIR/osd" "$DIR/run" "$DIR/log"
CONF="$DIR/ceph.conf"
cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public network = 127.0.0.1/32
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
keyring = $DIR/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
ms bind ipv6 = false
# auth none has no session key, so only the crc connection mode can carry it
ms mon client mode = crc
ms client mode = crc
ms mon service mode = crc
ms service mode = crc
ms cluster mode = crc
ms mon cluster mode = crc
[mon.a]
mon data = $DIR/mon
[osd]
osd data = $DIR/osd
osd objectstore = memstore
memstore device bytes = 1073741824
osd max object name len = 460
osd max object namespace len = 64
osd class dir = /usr/lib/x86_64-linux-gnu/rados-classes
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw dns name = 127.0.0.1
rgw data = $DIR/rgw
rgw enable usage log = false
rgw thread pool size = 32
CONF
# Debian's packages put the object classes under the multiarch folder; find them wherever they are.
CLS=$(dirname "$(ls /usr/lib/*/rados-classes/libcls_rgw.so /usr/lib/rados-classes/libcls_rgw.so 2>/dev/null | head -n 1)")
sed -i "s#^osd class dir = .*#osd class dir = $CLS#" "$CONF"

ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/keyring"
ceph-mon -c "$CONF" -i a --pid-file "$DIR/mon.pid"

OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$(ceph -c "$CONF" --connect-timeout 20 osd new "$OSD_UUID")
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >/dev/null 2>&1
ceph -c "$CONF" osd crush add "osd.$OSD_ID" 1.0 host=localhost root=default >/dev/null 2>&1 || true
ceph-osd -c "$CONF" -i "$OSD_ID" --pid-file "$DIR/osd.pid"
for _ in $(seq 1 100); do
  ceph -c "$CONF" osd dump 2>/dev/null | grep -q "^osd.$OSD_ID up" && break
  sleep 0.2
done

mkdir -p "$DIR/rgw"
radosgw -c "$CONF" -n client.rgw --pid-file "$DIR/rgw.pid"
uuid_hex() { tr -d '-' </proc/sys/kernel/random/uuid; }
ACCESS_KEY="EMTEST$(uuid_hex | cut -c1-14 | tr a-z A-Z)"
SECRET_KEY="$(uuid_hex)$(uuid_hex | cut -c1-8)"
radosgw-admin -c "$CONF" user create --uid=export-manager --display-name="Export Manager tests" \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
for _ in $(seq 1 150); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$RGW_PORT") 2>/dev/null; then break; fi
  sleep 0.2
done
(exec 3<>"/dev/tcp/127.0.0.1/$RGW_PORT") 2>/dev/null

trap - ERR
echo "S3_ENDPOINT=http://127.0.0.1:$RGW_PORT"
echo "S3_ACCESS_KEY=$ACCESS_KEY"
echo "S3_SECRET_KEY=$SECRET_KEY"
echo "S3_REGION=us-east-1"
echo "S3_DIR=$DIR"
echo "READY"
