import { type Address, type Call, encodeFunctionData } from 'viem'
import { sessionKeyValidatorAddress } from '../constants/addresses.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { validatorWritesAbi } from '../generated/validatorCallsAbi.js'
import { assertSession } from '../session/encode.js'
import { assertTrustedModule, type ModuleTrustOptions } from '../session/trust.js'
import type { Session } from '../session/types.js'
import { parseAddress } from '../session/validate.js'

/**
 * The owner's call that revokes a session at once and for ever (also any operation the
 * dapp signed before). Send it with the owner's account.
 *
 * @example
 * import { getRevokeSessionCalls } from 'session-keys'
 * await submitter.sendUserOperation({ account: ownerAccount, calls: getRevokeSessionCalls({ session }) })
 */
export function getRevokeSessionCalls(parameters: { session: Session } & ModuleTrustOptions): Call[] {
  const session = assertSession(parameters?.session)
  assertTrustedModule(session, parameters)
  return [
    {
      to: session.module,
      data: encodeFunctionData({ abi: validatorWritesAbi, functionName: 'revokeSession', args: [session.id] }),
    },
  ]
}

/**
 * The owner's call that enables or disables a session (a disabled session can be enabled
 * again; a revoked one cannot).
 *
 * @example
 * import { getSetSessionEnabledCalls } from 'session-keys'
 * const calls = getSetSessionEnabledCalls({ session, enabled: true })
 */
export function getSetSessionEnabledCalls(
  parameters: { session: Session; enabled: boolean } & ModuleTrustOptions,
): Call[] {
  const session = assertSession(parameters?.session)
  assertTrustedModule(session, parameters)
  if (typeof parameters.enabled !== 'boolean') {
    throw new InvalidParameterError({ field: 'enabled', value: parameters.enabled, reason: 'not a boolean' })
  }
  return [
    {
      to: session.module,
      data: encodeFunctionData({
        abi: validatorWritesAbi,
        functionName: 'setSessionEnabled',
        args: [session.id, parameters.enabled],
      }),
    },
  ]
}

/**
 * The owner's call that revokes every session of the account at once.
 *
 * @example
 * import { getRevokeAllSessionsCalls } from 'session-keys'
 * const calls = getRevokeAllSessionsCalls()
 */
export function getRevokeAllSessionsCalls(parameters: { module?: Address | undefined } = {}): Call[] {
  const module = parseAddress(parameters.module ?? sessionKeyValidatorAddress, 'module')
  return [{ to: module, data: encodeFunctionData({ abi: validatorWritesAbi, functionName: 'revokeAllSessions' }) }]
}
