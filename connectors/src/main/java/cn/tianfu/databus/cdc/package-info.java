/**
 * Change data capture: a department database feeds the bus without producer code. {@link cn.tianfu.databus.cdc.CdcMapping}
 * (a YAML file) says which table feeds which resource and how; {@link cn.tianfu.databus.cdc.CdcRunner} captures with
 * Debezium and publishes through the SDK {@code Publisher}; {@link cn.tianfu.databus.cdc.CdcCheck} checks a database
 * and a mapping without capturing. See {@code docs/cdc.md}.
 */
package cn.tianfu.databus.cdc;
