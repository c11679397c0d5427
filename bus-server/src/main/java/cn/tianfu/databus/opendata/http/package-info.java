/**
 * The open-data HTTP API (Art. 31-33): anonymous and read-only — the CKAN Action API subset at CKAN's paths, the
 * DCAT-AP catalog, and the downloads of each open resource — rate-limited per client address. See
 * {@code docs/open-data.md}.
 */
package cn.tianfu.databus.opendata.http;
