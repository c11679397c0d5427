/**
 * End-to-end benchmarks of the bus against raw Kafka in the same run: {@link cn.tianfu.databus.bench.BenchRunner}
 * (console table and JSON under {@code bench/results/}); JMH microbenchmarks of the hot paths in
 * {@code cn.tianfu.databus.bench.jmh}. How to run them and the latest numbers: {@code docs/benchmarks.md}.
 */
package cn.tianfu.databus.bench;
