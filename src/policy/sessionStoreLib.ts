/**
 * Mirror of contracts/session/lib/SessionStoreLib.sol: the rules the module applies when it
 * writes a session, checked by the SDK before the owner signs, so that a grant the module
 * would refuse is refused here first, with the field that breaks it.
 */
import type { Address } from 'viem'
import { InvalidParameterError } from '../errors/parameter.js'
import type { Permission } from './dataTypes.js'

/**
 * `_storePermission`'s destination checks: never the zero address, the account itself or the
 * module (a session could otherwise install modules, upgrade the account or edit its own
 * limits), and one permission per destination (its counters are one record).
 */
export function checkPermissionTargets(
  permissions: readonly Pick<Permission, 'target' | 'anyDestination'>[],
  context: { account: Address; module: Address; field: string },
): void {
  const targets = permissions.map((p) => p.target)
  targets.forEach((target, i) => {
    const field = `${context.field}[${i}].target`
    const any = permissions[i].anyDestination === true
    if (
      any ? BigInt(target) !== 0n : target === context.account || target === context.module || BigInt(target) === 0n
    ) {
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
        reason: any
          ? `a second any-destination permission (the first is ${context.field}[${first}])`
          : `the same destination as ${context.field}[${first}]`,
        fix: 'merge the two into one permission',
      })
    }
  })
}

/**
 * `_checkAnyTarget`: an any-destination permission reaches contracts nobody reviewed, so only
 * its argument rules bound what it does there: every method needs one, and it allows no native
 * value, call type other than a plain call, empty calldata or recurring limits.
 */
export function checkAnyDestination(permission: Permission, field: string, methodsField = 'whitelistMethods'): void {
  const refuse = (at: string, reason: string, fix: string) => {
    throw new InvalidParameterError({ field: `${field}${at}`, reason, fix })
  }
  if (permission.allowDelegatecall || permission.allowTryMode || permission.allowEmptyCalldata) {
    refuse(
      '',
      'a permission for any destination allows plain calls only',
      'leave out allowDelegatecall, allowTryMode and allowEmptyCalldata',
    )
  }
  if (permission.valueLimit !== undefined) {
    refuse(
      '.valueLimit',
      'a permission for any destination never sends native value',
      'grant value on a named destination',
    )
  }
  if (permission.recurring !== undefined) {
    refuse('.recurring', 'a permission for any destination has lifetime limits only', 'use tokenAmount and maxUses')
  }
  permission.selectors.forEach((selector, i) => {
    if (!(permission.rules ?? []).some((r) => r.selector === selector)) {
      refuse(
        `.${methodsField}[${i}]`,
        `${permission.methods?.[i] ?? selector} has no argument rule: on any contract, nothing would bound what it does`,
        'add a rule on it, e.g. { method, arg: "spender", condition: "eq", value: router }',
      )
    }
  })
}
