/**
 * The record contract every part of the bus shares, free of Kafka client code: how a source event is framed on the
 * wire and which headers it carries ({@link cn.tianfu.databus.contract.SourceEvents}), the registry wire format
 * ({@link cn.tianfu.databus.contract.WireFormat}) and the registry subject of a topic
 * ({@link cn.tianfu.databus.contract.Subjects}).
 */
package cn.tianfu.databus.contract;
