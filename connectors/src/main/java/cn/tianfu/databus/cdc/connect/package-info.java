/** The CDC mapping as a Kafka Connect transform, for departments that run Debezium on Connect. See {@code docker/connect/}. */
package cn.tianfu.databus.cdc.connect;
