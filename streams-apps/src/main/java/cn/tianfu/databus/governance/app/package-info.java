/**
 * The governance streams app: reads every department's {@code cmd.<dept>} topic, decides each command by the
 * regulation's rules (catalog, one data one source, sharing classes, decisions, revocation, retirement), keeps the
 * catalog, requests and grants as changelogged state, publishes them on {@code bus.catalog}, {@code bus.requests}
 * and {@code bus.grants}, and answers on {@code reply.<dept>}; exactly once. See {@code docs/governance.md}.
 */
package cn.tianfu.databus.governance.app;
