/** Shared configuration support: every problem reported at once as a {@link cn.tianfu.databus.config.DatabusConfigException}. */
package cn.tianfu.databus.config;
