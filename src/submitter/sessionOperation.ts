import { type Call, type Client, getAddress } from 'viem'
import type { SmartAccount } from 'viem/account-abstraction'
import { readTokenMetadata } from '../actions/readTokenMetadata.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { PeriodLimitExceededError, SpendingLimitExceededError } from '../errors/session.js'
import type { Session } from '../policy/dataTypes.js'
import type { SessionGrant } from '../session/grant.js'
import { parseAddress } from '../utils/parse.js'

/** The calls given to a submitter: at least one, each with a valid `to`. */
export function assertCalls(calls: readonly Call[]): void {
  if (!Array.isArray(calls) || calls.length === 0) {
    throw new InvalidParameterError({
      field: 'calls',
      value: calls,
      reason: 'no call given',
      fix: 'give at least one call',
    })
  }
  calls.forEach((call, i) => {
    parseAddress(call?.to, `calls[${i}].to`)
  })
}

/**
 * The session a session-key account acts under (see toSessionKeyAccount), and the off-chain
 * grant its operations carry until the session exists; no session for any other account.
 */
export function sessionOf(account: SmartAccount): { session: Session | undefined; grant: SessionGrant | undefined } {
  const { session, grant } = account as { session?: Session; grant?: SessionGrant }
  return { session, grant }
}

/**
 * A refusal the chain gave in base units, restated in the token's units when the token says
 * its symbol and decimals (as the pre-flight check states it). Anything else is returned as is.
 */
export async function inTokenUnits(client: Client, error: unknown): Promise<unknown> {
  const periodic = error instanceof PeriodLimitExceededError && error.kind === 'token'
  if (!(error instanceof SpendingLimitExceededError) && !periodic) return error
  const { [getAddress(error.target)]: meta } = await readTokenMetadata(client, {
    addresses: [error.target],
    fields: ['symbol', 'decimals'],
  })
  if (meta?.symbol === undefined || meta.decimals === undefined) return error
  const token = { symbol: meta.symbol, decimals: meta.decimals }
  return error instanceof PeriodLimitExceededError
    ? new PeriodLimitExceededError({ ...error, token, cause: error.cause })
    : new SpendingLimitExceededError({ ...error, token, cause: error.cause })
}
