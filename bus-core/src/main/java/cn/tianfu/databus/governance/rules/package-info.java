/**
 * The regulation's rules for governance commands (Art. 17, 25–26 and 30): who may register, update and retire a
 * resource, who may request access and how a request is decided, withdrawn or a grant revoked, and the working-day
 * due time of a conditional request.
 *
 * <p>{@link cn.tianfu.databus.governance.rules.GovernanceRules} is pure: it takes the state a command needs, the command
 * and the time, and returns a {@link cn.tianfu.databus.governance.rules.Decision}. It reads no store, calls no registry
 * and reads no clock; where it needs the schema registry or the calendar it says so with a step the processor carries
 * out and answers.
 */
package cn.tianfu.databus.governance.rules;
