/**
 * The department side of governance: {@link cn.tianfu.databus.governance.client.GovernanceClient} sends commands
 * (register, update, retire resources; request, decide, withdraw access; revoke grants) on {@code cmd.<dept>} and
 * matches governance's replies on {@code reply.<dept>}; {@link cn.tianfu.databus.governance.client.CatalogView},
 * {@link cn.tianfu.databus.governance.client.RequestsView} and {@link cn.tianfu.databus.governance.client.GrantsView}
 * show the current state, filtered to what concerns the department.
 */
package cn.tianfu.databus.governance.client;
