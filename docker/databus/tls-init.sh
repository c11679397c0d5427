#!/bin/bash
# One CA and one server certificate for every broker and bus node of the compose cluster ('databus tls init'), kept
# from the first run on. The bus nodes read them (and sign department certificates, 'dept add --cert --ca-dir') from
# the volume bus-certs; the brokers, which run as another user, get their own copy without the CA key in kafka-certs.
set -euo pipefail
: "${PUBLIC_HOST:?}"
java -cp '/opt/databus/databus.jar:/opt/databus/lib/*' cn.tianfu.databus.cli.DatabusCli tls init \
  --data-dir /var/lib/databus-certs --name "$PUBLIC_HOST" --name kafka-1 --name kafka-2 --name kafka-3 \
  --name databus-1 --name databus-2 --name localhost --name 127.0.0.1
chown -R databus /var/lib/databus-certs
mkdir -p /var/lib/kafka-certs/tls
cp /var/lib/databus-certs/tls/server.key /var/lib/databus-certs/tls/server.crt /var/lib/databus-certs/tls/ca.crt \
  /var/lib/kafka-certs/tls/
# the apache/kafka image runs as appuser, uid 1000
chown -R 1000:1000 /var/lib/kafka-certs
chmod 700 /var/lib/kafka-certs/tls
chmod 600 /var/lib/kafka-certs/tls/server.key
