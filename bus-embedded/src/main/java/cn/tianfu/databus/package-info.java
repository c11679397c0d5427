/** bus-embedded of the Tianfu Data Exchange Bus. */
package cn.tianfu.databus;
