import type { Call } from 'viem'
import type { SmartAccount } from 'viem/account-abstraction'
import { InvalidParameterError } from '../errors/parameter.js'
import type { Session } from '../session/types.js'
import { parseAddress } from '../session/validate.js'

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
 * The session a session-key account acts under (see toSessionKeyAccount), and whether its
 * operations carry an off-chain grant; no session for any other account.
 */
export function sessionOf(account: SmartAccount): { session: Session | undefined; withGrant: boolean } {
  const { session, grant } = account as { session?: Session; grant?: unknown }
  return { session, withGrant: Boolean(grant) }
}
