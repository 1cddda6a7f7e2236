/**
 * Mirror of contracts/session/lib/SessionStoreLib.sol: the rules the module applies when it
 * writes a session, checked by the SDK before the owner signs, so that a grant the module
 * would refuse is refused here first, with the field that breaks it.
 */
import type { Address } from 'viem'
import { InvalidParameterError } from '../errors/parameter.js'

/**
 * `_storePermission`'s destination checks: never the zero address, the account itself or the
 * module (a session could otherwise install modules, upgrade the account or edit its own
 * limits), and one permission per destination (its counters are one record).
 */
export function checkPermissionTargets(
  targets: readonly Address[],
  context: { account: Address; module: Address; field: string },
): void {
  targets.forEach((target, i) => {
    const field = `${context.field}[${i}].target`
    if (target === context.account || target === context.module || BigInt(target) === 0n) {
      throw new InvalidParameterError({
        field,
        value: target,
        reason: 'a session may never call the account itself, the session module or the zero address',
        fix: 'remove this destination; the owner manages the account directly',
      })
    }
    const first = targets.indexOf(target)
    if (first !== i) {
      throw new InvalidParameterError({
        field,
        value: target,
        reason: `the same destination as ${context.field}[${first}]`,
        fix: 'merge the two into one permission',
      })
    }
  })
}
