/**
 * The authority's periodic report (定期通报, docs/accountability.md): per department, how it kept its duties in one
 * month. Pure: computed from the records it is given ({@code AccessRequest}, {@code Violation}, {@link ReportFact},
 * {@link DisputeFact}) and rendered as text, CSV, JSON or a self-contained HTML page with SVG charts.
 */
package cn.tianfu.databus.accountability;
