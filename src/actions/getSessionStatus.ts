import type { Address, Client, GetBlockErrorType, ReadContractErrorType } from 'viem'
import { getBlock, readContract } from 'viem/actions'
import type { InvalidParameterError } from '../errors/parameter.js'
import { validatorViewsAbi } from '../generated/validatorCallsAbi.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession } from '../session/encode.js'

/** Parameters of {@link getSessionStatus} and {@link getSpendingLimits}. */
export type GetSessionStatusParameters = { session: Session }
/** Errors of {@link getSessionStatus}. */
export type GetSessionStatusErrorType = InvalidParameterError | ReadContractErrorType | GetBlockErrorType
/** Parameters of {@link getSpendingLimits}. */
export type GetSpendingLimitsParameters = { session: Session }
/** Return type of {@link getSpendingLimits}. */
export type GetSpendingLimitsReturnType = SpendingLimit[]
/** Errors of {@link getSpendingLimits}. */
export type GetSpendingLimitsErrorType = InvalidParameterError | ReadContractErrorType

/** Where a session stands now. */
export type SessionStatus = 'active' | 'not-found' | 'revoked' | 'disabled' | 'not-yet-valid' | 'expired'

/** Return type of {@link getSessionStatus}. */
export type GetSessionStatusReturnType = {
  status: SessionStatus
  exists: boolean
  enabled: boolean
  revoked: boolean
  validAfter: number
  validUntil: number
  /** The chain's time used for the answer. */
  now: number
}

/**
 * Reads a session's state from chain and says whether it can be used now.
 *
 * @param client A client on the session's chain.
 * @param parameters The session.
 * @returns Its status (`active`, `not-found`, `revoked`, `disabled`, `not-yet-valid`, `expired`), its stored state and window, and the chain's time used.
 * @example
 * import { getSessionStatus } from 'session-keys'
 * const { status } = await getSessionStatus(client, { session }) // 'active'
 */
export async function getSessionStatus(
  client: Client,
  parameters: GetSessionStatusParameters,
): Promise<GetSessionStatusReturnType> {
  const session = assertSession(parameters?.session)
  const [state, block] = await Promise.all([
    readContract(client, {
      address: session.module,
      abi: validatorViewsAbi,
      functionName: 'getSession',
      args: [session.account, session.id],
    }),
    getBlock(client, { blockTag: 'latest' }),
  ])
  const [validAfter, validUntil, enabled, exists, revoked] = state
  const now = Number(block.timestamp)
  // A revoked id is 'revoked' even if it was never created: its grant can never create it.
  const status: SessionStatus = revoked
    ? 'revoked'
    : !exists
      ? 'not-found'
      : !enabled
        ? 'disabled'
        : now < validAfter
          ? 'not-yet-valid'
          : now > validUntil
            ? 'expired'
            : 'active'
  return { status, exists, enabled, revoked, validAfter, validUntil, now }
}

/** One token limit of a session, read from chain. */
export type SpendingLimit = { target: Address; limit: bigint; spent: bigint; remaining: bigint }

/**
 * Reads how much of each token limit of a session is spent (permissions without a token
 * limit are left out).
 *
 * @param client A client on the session's chain.
 * @param parameters The session.
 * @returns For each destination with a token limit: the limit, what is spent and what remains (base units).
 * @example
 * import { getSpendingLimits } from 'session-keys'
 * const [usdc] = await getSpendingLimits(client, { session })
 * console.log(usdc.remaining)
 */
export async function getSpendingLimits(
  client: Client,
  parameters: GetSpendingLimitsParameters,
): Promise<GetSpendingLimitsReturnType> {
  const session = assertSession(parameters?.session)
  const limited = session.permissions.filter((p) => p.tokenLimit !== undefined)
  return Promise.all(
    limited.map(async (p) => {
      const [limit, spent] = await readContract(client, {
        address: session.module,
        abi: validatorViewsAbi,
        functionName: 'getTokenLimit',
        args: [session.account, session.id, p.target],
      })
      return { target: p.target, limit, spent, remaining: limit - spent }
    }),
  )
}
