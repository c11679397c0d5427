/**
 * The department SDK for data: {@link cn.tianfu.databus.sdk.Publisher} sends a resource's changes onto its source
 * topic, checked against the catalogued schema; {@link cn.tianfu.databus.sdk.Subscriber} receives what the bus delivers
 * to the department as {@link cn.tianfu.databus.sdk.Delivery} values. {@link cn.tianfu.databus.contract.EventHeaders} names
 * the headers both sides use.
 */
package cn.tianfu.databus.sdk;
