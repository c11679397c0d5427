/**
 * The deadlines app: keeps the time of every open duty and raises reminders and violations (docs/accountability.md).
 * {@code internal} holds its processors; no other package may import them.
 */
package cn.tianfu.databus.deadlines.app;
