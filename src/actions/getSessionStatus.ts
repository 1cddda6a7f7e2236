import type { Address, Client, GetBlockErrorType, Hex, ReadContractErrorType } from 'viem'
import { getBlock, readContract } from 'viem/actions'
import type { InvalidParameterError } from '../errors/parameter.js'
import { validatorViewsAbi } from '../generated/validatorCallsAbi.js'
import { periodAt } from '../policy/checkSessionOperation.js'
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
  return readSessionStatus(client, { module: session.module, account: session.account, id: session.id })
}

/** {@link getSessionStatus} by the session's id alone (for sessions whose terms are unknown). */
export async function readSessionStatus(
  client: Client,
  { module, account, id }: { module: Address; account: Address; id: Hex },
): Promise<GetSessionStatusReturnType> {
  const [state, block] = await Promise.all([
    readContract(client, {
      address: module,
      abi: validatorViewsAbi,
      functionName: 'getSession',
      args: [account, id],
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

/**
 * One token limit of a session, read from chain. `limit` is `maxUint256` when the destination
 * has only a recurring limit; `period` is that limit in the current period (the chain's time).
 */
export type SpendingLimit = {
  target: Address
  limit: bigint
  spent: bigint
  remaining: bigint
  period?: { index: bigint; limit: bigint; spent: bigint; remaining: bigint; endsAt: number } | undefined
}

/**
 * Reads how much of each token limit of a session is spent, over its life and, for a recurring
 * limit, in the current period (permissions without a token limit are left out).
 *
 * @param client A client on the session's chain.
 * @param parameters The session.
 * @returns For each destination with a token limit: the limit, what is spent and what remains (base units), and the current period's.
 * @example
 * import { getSpendingLimits } from 'session-keys'
 * const [usdc] = await getSpendingLimits(client, { session })
 * console.log(usdc.remaining, usdc.period?.remaining)
 */
export async function getSpendingLimits(
  client: Client,
  parameters: GetSpendingLimitsParameters,
): Promise<GetSpendingLimitsReturnType> {
  const session = assertSession(parameters?.session)
  const limited = session.permissions.filter((p) => p.tokenLimit !== undefined || p.recurring?.tokenLimit !== undefined)
  const base = { address: session.module, abi: validatorViewsAbi } as const
  const now = limited.some((p) => p.recurring) ? Number((await getBlock(client, { blockTag: 'latest' })).timestamp) : 0
  return Promise.all(
    limited.map(async (p) => {
      const [[limit, spent], period] = await Promise.all([
        readContract(client, { ...base, functionName: 'getTokenLimit', args: [session.account, session.id, p.target] }),
        p.recurring?.tokenLimit === undefined
          ? undefined
          : readContract(client, {
              ...base,
              functionName: 'getPeriodUsage',
              args: [session.account, session.id, p.target],
            }),
      ])
      const entry: SpendingLimit = { target: p.target, limit, spent, remaining: limit - spent }
      if (period && p.recurring?.tokenLimit !== undefined) {
        const { tokenLimit } = p.recurring
        // Before the first period starts, period 0 is the one to come.
        const { index, end } = periodAt(p.recurring, Math.max(now, p.recurring.start)) as { index: bigint; end: number }
        // A period after the one last charged starts from zero.
        const used = index === period[2] ? period[4] : 0n
        entry.period = { index, limit: tokenLimit, spent: used, remaining: tokenLimit - used, endsAt: end }
      }
      return entry
    }),
  )
}
