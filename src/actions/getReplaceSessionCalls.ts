import { type Call, type Client, encodeFunctionData, type Hex, type ReadContractErrorType } from 'viem'
import { readContract } from 'viem/actions'
import { InvalidParameterError } from '../errors/parameter.js'
import type { UntrustedModuleError } from '../errors/session.js'
import { validatorViewsAbi, validatorWritesAbi } from '../generated/validatorCallsAbi.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession } from '../session/encode.js'
import { assertSessionChain, assertTrustedModule, type ModuleTrustOptions } from '../session/trust.js'
import { type GetGrantSessionCallsErrorType, getGrantSessionCalls } from './getGrantSessionCalls.js'

/** Parameters of {@link getReplaceSessionCalls}. */
export type GetReplaceSessionCallsParameters = {
  /** The session to end (as granted). */
  session: Session
  /** The session that takes its place (from the dapp: hostile input, checked in full). */
  replacement: Session
} & ModuleTrustOptions

/** Return type of {@link getReplaceSessionCalls}. */
export type GetReplaceSessionCallsReturnType = {
  /** The owner's calls, to send in one operation: both happen, or neither. */
  calls: Call[]
  /** The old session's counters as read now (`getSessionUsageHash`): the calls revert if they move. */
  usage: Hex
}

/** Errors of {@link getReplaceSessionCalls}. */
export type GetReplaceSessionCallsErrorType =
  | InvalidParameterError
  | UntrustedModuleError
  | ReadContractErrorType
  | GetGrantSessionCallsErrorType

/**
 * Wallet side. Replaces a session atomically: the owner's operation revokes `session` only if
 * its counters are still those read here, and creates `replacement`, in one batch. If the old
 * key spends in between (after the owner looked, before the operation lands), the module
 * refuses with `SessionUsageChanged` and nothing changes: the owner looks again. Build the
 * calls right before showing the owner what the old session has left.
 *
 * @throws {InvalidParameterError} when the two sessions are for different accounts, chains
 * or modules, or are the same session.
 * @param client A client on the sessions' chain.
 * @param parameters The session, its replacement, and the wallet-side options.
 * @returns The calls, and the usage digest they hold.
 * @example
 * import { getReplaceSessionCalls } from 'session-keys'
 * const { calls } = await getReplaceSessionCalls(client, { session, replacement })
 * await submitter.sendUserOperation({ account: ownerAccount, calls })
 */
export async function getReplaceSessionCalls(
  client: Client,
  parameters: GetReplaceSessionCallsParameters,
): Promise<GetReplaceSessionCallsReturnType> {
  const session = assertSession(parameters?.session)
  const replacement = assertSession(parameters.replacement, 'replacement')
  assertTrustedModule(session, parameters)
  for (const field of ['account', 'chainId', 'module'] as const) {
    if (replacement[field] !== session[field]) {
      throw new InvalidParameterError({
        field: `replacement.${field}`,
        value: replacement[field],
        reason: `not the replaced session's ${field} (${session[field]})`,
        fix: 'replace a session with one for the same account, chain and module',
      })
    }
  }
  if (replacement.id === session.id) {
    throw new InvalidParameterError({
      field: 'replacement.id',
      value: replacement.id,
      reason: 'the replaced session itself: an id is never used twice',
      fix: 'define the replacement with defineSession() (a new salt)',
    })
  }
  await assertSessionChain(client, session)
  const targets = session.permissions.map((p) => p.target)
  const usage = await readContract(client, {
    address: session.module,
    abi: validatorViewsAbi,
    functionName: 'getSessionUsageHash',
    args: [session.account, session.id, targets],
  })
  const create = await getGrantSessionCalls(client, { ...parameters, session: replacement })
  return {
    calls: [
      {
        to: session.module,
        data: encodeFunctionData({
          abi: validatorWritesAbi,
          functionName: 'revokeSessionIfUnchanged',
          args: [session.id, targets, usage],
        }),
      },
      ...create,
    ],
    usage,
  }
}
