/**
 * Pure sharing policy, applied by the sharing router to every record: projection and masking
 * ({@link cn.tianfu.databus.sharing.DeliveryPlan}, {@link cn.tianfu.databus.sharing.MaskRule}), row filters
 * ({@link cn.tianfu.databus.sharing.RowFilter}), when a grant is in force
 * ({@link cn.tianfu.databus.sharing.GrantWindow}) and what a change means for a consumer
 * ({@link cn.tianfu.databus.sharing.DeliveryAction}). See DESIGN.md beside this package.
 */
package cn.tianfu.databus.sharing;
