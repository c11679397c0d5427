/**
 * Client of a Confluent-compatible schema registry: {@link cn.tianfu.databus.registry.SchemaRegistryClient},
 * its HTTP implementation and an in-memory mock for tests.
 */
package cn.tianfu.databus.registry;
