/** A department's connection to the bus: {@link cn.tianfu.databus.client.DatabusClientConfig}. */
package cn.tianfu.databus.client;
