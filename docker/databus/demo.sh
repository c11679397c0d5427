#!/bin/bash
# The demo against the compose cluster, run on node databus-1: two departments (psb with a client certificate too),
# psb registers the population resource, hrss requests it (unconditional: granted at once) and lists its grants.
set -euo pipefail
db() { java -cp '/opt/databus/databus.jar:/opt/databus/lib/*' cn.tianfu.databus.cli.DatabusCli "$@"; }
out=/var/lib/databus/handover
mkdir -p "$out" && chmod 700 "$out"
[ -f "$out/psb.properties" ] || db dept add psb --name 市公安局 --data-dir /var/lib/databus --out "$out/psb.properties" \
  --cert --ca-dir /etc/databus/certs/tls
[ -f "$out/hrss.properties" ] || db dept add hrss --name 市人力资源和社会保障局 --data-dir /var/lib/databus \
  --out "$out/hrss.properties"
db catalog register /etc/databus/examples/psb-population.yaml --config "$out/psb.properties" || true
db request 10101-000001 --purpose 社保待遇资格认证 --config "$out/hrss.properties" || true
for i in $(seq 1 30); do
  if db grants --mine --config "$out/hrss.properties" | grep -q 10101-000001; then
    db grants --mine --config "$out/hrss.properties"
    echo "demo: hrss holds a grant on 10101-000001; client files (psb-cert.properties: by certificate) in $out"
    exit 0
  fi
  sleep 2
done
echo "demo: no grant after 60 s" >&2
exit 1
