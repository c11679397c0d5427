/**
 * The exchange log's integrity: keyed hashes of record keys ({@link cn.tianfu.databus.ledger.KeyHasher}), digests
 * of delivered values ({@link cn.tianfu.databus.ledger.Digests}), the per-partition hash chain
 * ({@link cn.tianfu.databus.ledger.HashChain}, {@link cn.tianfu.databus.ledger.ChainVerifier}) and signed checkpoints
 * ({@link cn.tianfu.databus.ledger.SigningKeys}, {@link cn.tianfu.databus.ledger.PublicKeys}). It owns the exchange-log
 * entry: {@link cn.tianfu.databus.ledger.ExchangeEntry}, built by {@link cn.tianfu.databus.ledger.ExchangeEntries},
 * encoded by {@link cn.tianfu.databus.ledger.CanonicalEncoding}, mapped to and from its Avro record by
 * {@link cn.tianfu.databus.ledger.ExchangeLogRecords}. The byte encodings an
 * auditor needs are specified in DESIGN.md beside this package.
 */
package cn.tianfu.databus.ledger;
