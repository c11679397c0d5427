/**
 * The rules of the duties the bus keeps the time of (docs/accountability.md): when a duty holder is reminded, when a
 * duty is missed, and the ids of what that raises. Pure: the deadlines app ({@code deadlines.app}) applies them.
 */
package cn.tianfu.databus.deadlines;
