/**
 * HTTP authentication shared by the schema registry and the bus's HTTP API: {@link cn.tianfu.databus.auth.Authenticator}
 * and the bus's implementation over its own credentials and the verifiers on {@code bus.departments} and
 * {@code bus.auditors} ({@link cn.tianfu.databus.auth.PrincipalDirectory}).
 */
package cn.tianfu.databus.auth;
