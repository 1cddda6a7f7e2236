import { type Address, type Call, encodeFunctionData } from 'viem'
import { sessionKeyValidatorAddress } from '../constants/addresses.js'
import { InvalidParameterError } from '../errors/parameter.js'
import type { UntrustedModuleError } from '../errors/session.js'
import { validatorWritesAbi } from '../generated/validatorCallsAbi.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession, getSigningKey } from '../session/encode.js'
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

/** Parameters of {@link getRotateSessionKeyCalls}. */
export type GetRotateSessionKeyCallsParameters = {
  /** The live session to move (as granted, or as a previous rotation returned it). */
  session: Session
  /** The new key's address (`generateSessionKey().address`): from then on only it signs. */
  newSessionKey: Address
} & ModuleTrustOptions
/** Return type of {@link getRotateSessionKeyCalls}. */
export type GetRotateSessionKeyCallsReturnType = {
  /** The owner's call, to send from the owner's account. */
  calls: Call[]
  /** The session as it is once the call is in: the same id, terms and counters, the new key. */
  session: Session
}

/**
 * The owner's call that moves a live session to a new key, keeping its id, terms and every
 * counter (what the old key spent stays spent): for a key that leaked, or a dapp that moves
 * its key to new storage. Once included, the old key's operations and renouncement are refused.
 * Give the dapp the returned `session` with the new key's private key.
 *
 * @param parameters The session, the new key, and the wallet-side options.
 * @returns The call to send, and the session once rotated.
 * @example
 * import { generateSessionKey, getRotateSessionKeyCalls } from 'session-keys'
 * const next = generateSessionKey()
 * const { calls, session: rotated } = getRotateSessionKeyCalls({ session, newSessionKey: next.address })
 * await submitter.sendUserOperation({ account: ownerAccount, calls })
 */
export function getRotateSessionKeyCalls(
  parameters: GetRotateSessionKeyCallsParameters,
): GetRotateSessionKeyCallsReturnType {
  const session = assertSession(parameters?.session)
  assertTrustedModule(session, parameters)
  const newSessionKey = parseAddress(parameters.newSessionKey, 'newSessionKey')
  if (newSessionKey === getSigningKey(session)) {
    throw new InvalidParameterError({
      field: 'newSessionKey',
      value: newSessionKey,
      reason: 'the key that signs for this session already',
      fix: 'pass a fresh key from generateSessionKey()',
    })
  }
  // The same checks as any session's key (not zero, not the account, not the module).
  const rotated = assertSession({ ...session, rotatedKey: newSessionKey }, 'newSessionKey')
  return {
    calls: [
      {
        to: session.module,
        data: encodeFunctionData({
          abi: validatorWritesAbi,
          functionName: 'rotateSessionKey',
          args: [session.id, newSessionKey],
        }),
      },
    ],
    session: rotated,
  }
}
