/**
 * The bus's security primitives shared by the SDK, the CLI and the runtime: generated passwords and their salted
 * verifiers ({@link cn.tianfu.databus.security.Passwords}), owner-only secret files
 * ({@link cn.tianfu.databus.security.SecretFiles}), and the typed errors a refused or unreachable client gets
 * ({@link cn.tianfu.databus.security.BusAuthenticationException}, {@link cn.tianfu.databus.security.BusAuthorizationException},
 * {@link cn.tianfu.databus.security.BusUnreachableException}). See {@code docs/security.md}.
 */
package cn.tianfu.databus.security;
