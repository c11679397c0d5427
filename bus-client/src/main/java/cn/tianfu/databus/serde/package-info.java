/**
 * Kafka serializers and deserializers for Avro in the schema registry wire format
 * (magic byte 0, 4-byte big-endian schema id, Avro binary). See {@link cn.tianfu.databus.serde.AvroSerde}.
 */
package cn.tianfu.databus.serde;
