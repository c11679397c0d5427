/**
 * The catalog as providers write it: resource definition files
 * ({@link cn.tianfu.databus.catalog.ResourceDefinitions}), the Avro schema derived from a definition
 * ({@link cn.tianfu.databus.catalog.AvroSchemas}) and its conversion to the bus's catalog records
 * ({@link cn.tianfu.databus.catalog.CatalogEntries}).
 */
package cn.tianfu.databus.catalog;
