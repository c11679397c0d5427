/**
 * The service exchange's pure rules (no Kafka): which claims a grant lets a consumer verify and how they are judged
 * ({@link cn.tianfu.databus.service.Claims}), the signed statement that proves an answer
 * ({@link cn.tianfu.databus.service.ProofStatement}, {@link cn.tianfu.databus.service.Proofs}), and the per-grant
 * limits ({@link cn.tianfu.databus.service.RateLimiter}). See {@code docs/service.md}.
 */
package cn.tianfu.databus.service;
