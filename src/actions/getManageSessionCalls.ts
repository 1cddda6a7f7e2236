import { type Address, type Call, encodeFunctionData } from 'viem'
import { sessionKeyValidatorAddress } from '../constants/addresses.js'
import { InvalidParameterError } from '../errors/parameter.js'
import type { UntrustedModuleError } from '../errors/session.js'
import { validatorWritesAbi } from '../generated/validatorCallsAbi.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession } from '../session/encode.js'
import { assertTrustedModule, type ModuleTrustOptions } from '../session/trust.js'
import { parseAddress } from '../utils/parse.js'

/** Parameters of {@link getRevokeSessionCalls}. */
export type GetRevokeSessionCallsParameters = { session: Session } & ModuleTrustOptions
/** Parameters of {@link getSetSessionEnabledCalls}. */
export type GetSetSessionEnabledCallsParameters = { session: Session; enabled: boolean } & ModuleTrustOptions
/** Parameters of {@link getRevokeAllSessionsCalls}. */
export type GetRevokeAllSessionsCallsParameters = { module?: Address | undefined }
/** Return type of the call builders below: the calls the owner's operation makes. */
export type GetManageSessionCallsReturnType = Call[]
/** Errors of {@link getRevokeSessionCalls} and {@link getSetSessionEnabledCalls}. */
export type GetManageSessionCallsErrorType = InvalidParameterError | UntrustedModuleError

/**
 * The owner's call that revokes a session at once and for ever (also any operation the
 * dapp signed before). Send it with the owner's account.
 *
 * @param parameters The session (and `allowUnknownModule` / `account` as for every wallet-side function).
 * @returns The call to send from the owner's account.
 * @example
 * import { getRevokeSessionCalls } from 'session-keys'
 * await submitter.sendUserOperation({ account: ownerAccount, calls: getRevokeSessionCalls({ session }) })
 */
export function getRevokeSessionCalls(parameters: GetRevokeSessionCallsParameters): GetManageSessionCallsReturnType {
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
 * @param parameters The session, `enabled`, and the wallet-side options.
 * @returns The call to send from the owner's account.
 * @example
 * import { getSetSessionEnabledCalls } from 'session-keys'
 * const calls = getSetSessionEnabledCalls({ session, enabled: true })
 */
export function getSetSessionEnabledCalls(
  parameters: GetSetSessionEnabledCallsParameters,
): GetManageSessionCallsReturnType {
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
 * @param parameters The module (the canonical one by default).
 * @returns The call to send from the owner's account.
 * @example
 * import { getRevokeAllSessionsCalls } from 'session-keys'
 * const calls = getRevokeAllSessionsCalls()
 */
export function getRevokeAllSessionsCalls(
  parameters: GetRevokeAllSessionsCallsParameters = {},
): GetManageSessionCallsReturnType {
  const module = parseAddress(parameters.module ?? sessionKeyValidatorAddress, 'module')
  return [{ to: module, data: encodeFunctionData({ abi: validatorWritesAbi, functionName: 'revokeAllSessions' }) }]
}
