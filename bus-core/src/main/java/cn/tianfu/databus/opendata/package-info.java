/**
 * Open data (Art. 31-35, 40): which resources and data items are opened to the public, the checks governance applies
 * before opening (only PUBLIC items, the provider's confidentiality review), the open grant through which the sharing
 * router publishes an open resource to {@code open.<resource>}, and the pure parts of the open catalog (CKAN search,
 * DCAT-AP vocabulary, CSV quoting).
 */
package cn.tianfu.databus.opendata;
