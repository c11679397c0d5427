/**
 * The departments known to the bus: adding one records it on {@code bus.departments} and creates its command and reply
 * topics. Credentials and ACLs per department come with the bus's security.
 */
package cn.tianfu.databus.department;
