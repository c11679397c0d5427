/**
 * The quality app: evaluates every catalogued resource (Art. 41) from its source records and publishes the scores on
 * {@code bus.quality}; a resource below a threshold raises a violation under Art. 46(二) (docs/quality.md).
 */
package cn.tianfu.databus.quality.app;
