#!/bin/bash
# Starts one KRaft node of the compose cluster: fills the passwords and the public host name into its properties,
# joins the server key and certificate chain into the PEM key store Kafka reads, formats its storage on the first start
# with the administrator's SCRAM credential (so it exists before any client connects), then runs Kafka.
set -euo pipefail
: "${CLUSTER_ID:?}" "${KAFKA_ADMIN_PASSWORD:?}" "${KAFKA_CONTROLLER_PASSWORD:?}" "${PUBLIC_HOST:?}"
certs=/etc/databus/certs/tls
cat "$certs/server.key" "$certs/server.crt" "$certs/ca.crt" > /tmp/kafka-keystore.pem
chmod 600 /tmp/kafka-keystore.pem
conf=/tmp/server.properties
sed -e "s|@ADMIN_PASSWORD@|${KAFKA_ADMIN_PASSWORD}|g" -e "s|@CONTROLLER_PASSWORD@|${KAFKA_CONTROLLER_PASSWORD}|g" \
  -e "s|@PUBLIC_HOST@|${PUBLIC_HOST}|g" /etc/kafka/databus/server.properties > "$conf"
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$conf" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh "$conf"
