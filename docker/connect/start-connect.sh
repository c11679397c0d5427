#!/bin/bash
# Kafka Connect with Debezium and the bus's transform: installs the transform's jars (the list in README.md) from the
# bus distribution into a plugin directory, connects to the brokers' INTERNAL listener with SCRAM, then starts the
# image's own worker.
set -euo pipefail
: "${KAFKA_ADMIN_PASSWORD:?}"
plugin=/kafka/connect/databus-transform
mkdir -p "$plugin"
for jar in connectors bus-core schemas avro commons-compress jackson-core jackson-databind jackson-annotations \
           jackson-dataformat-yaml snakeyaml; do
  cp /opt/databus/lib/"$jar"-[0-9]*.jar "$plugin"/
done
jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"${KAFKA_ADMIN_PASSWORD}\";"
for prefix in CONNECT CONNECT_PRODUCER CONNECT_CONSUMER CONNECT_ADMIN; do
  export "${prefix}_SECURITY_PROTOCOL=SASL_PLAINTEXT" "${prefix}_SASL_MECHANISM=SCRAM-SHA-512" "${prefix}_SASL_JAAS_CONFIG=${jaas}"
done
exec /docker-entrypoint.sh start
