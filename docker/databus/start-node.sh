#!/bin/bash
# A bus node: takes the bus principal's client file 'databus-init' wrote (docs/deployment.md: copy it to every node's
# data directory), then serves.
set -euo pipefail
mkdir -p /var/lib/databus/clients
chmod 700 /var/lib/databus/clients
if [ ! -f /var/lib/databus/clients/bus.properties ]; then
  install -m 600 /var/lib/databus-init/clients/bus.properties /var/lib/databus/clients/bus.properties
fi
exec java -Xms256m -Xmx1g -XX:+ExitOnOutOfMemoryError -cp '/opt/databus/databus.jar:/opt/databus/lib/*' \
  cn.tianfu.databus.cli.DatabusCli serve --config /etc/databus/node.properties
