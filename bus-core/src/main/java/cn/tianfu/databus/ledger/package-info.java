/**
 * The exchange log's integrity: keyed hashes of record keys ({@link cn.tianfu.databus.ledger.KeyHasher}), digests
 * of delivered values ({@link cn.tianfu.databus.ledger.Digests}), the per-partition hash chain
 * ({@link cn.tianfu.databus.ledger.HashChain}, {@link cn.tianfu.databus.ledger.ChainVerifier}) and signed checkpoints
 * ({@link cn.tianfu.databus.ledger.SigningKeys}, {@link cn.tianfu.databus.ledger.PublicKeys}). The byte encodings an
 * auditor needs are specified in DESIGN.md beside this package.
 */
package cn.tianfu.databus.ledger;
