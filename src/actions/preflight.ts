import { type Address, type Call, type Client, getAddress, type Hex } from 'viem'
import { getBlock, readContract } from 'viem/actions'
import { encodeExecute } from '../account/execution.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { sessionKeyValidatorAbi } from '../generated/abis.js'
import {
  checkSessionOperation,
  type SessionUsage,
  type TargetUsage,
  type TokenInfo,
} from '../policy/checkSessionOperation.js'
import { assertSession } from '../session/encode.js'
import type { Session } from '../session/types.js'
import { readTokenMetadata } from './readTokenMetadata.js'

/**
 * Reads what the chain has counted for a session: its state, gas spent, and per
 * destination the token amount, native value and calls counted.
 *
 * @example
 * import { getSessionUsage } from 'session-keys'
 * const usage = await getSessionUsage(client, { session })
 */
export async function getSessionUsage(client: Client, parameters: { session: Session }): Promise<SessionUsage> {
  const session = assertSession(parameters?.session)
  const base = { address: session.module, abi: sessionKeyValidatorAbi } as const
  const [state, gas, ...targets] = await Promise.all([
    readContract(client, { ...base, functionName: 'getSession', args: [session.account, session.id] }),
    readContract(client, { ...base, functionName: 'getGasBudget', args: [session.account, session.id] }),
    ...session.permissions.map((p) =>
      readContract(client, { ...base, functionName: 'getTargetUsage', args: [session.account, session.id, p.target] }),
    ),
  ])
  const [, , enabled, exists, revoked] = state
  const usage: Record<string, TargetUsage> = {}
  session.permissions.forEach((p, i) => {
    const [, tokenSpent, , valueSpent, , uses] = targets[i]
    usage[getAddress(p.target)] = { tokenSpent, valueSpent, uses }
  })
  return { exists, revoked, enabled, gasSpent: gas[1], targets: usage }
}

/** Parameters of {@link preflight}. */
export type PreflightParameters = {
  session: Session
  /** The calls to check (or `callData`, the account calldata itself). */
  calls?: readonly Call[] | undefined
  callData?: Hex | undefined
  /** The paymaster the operation will name, if any. */
  paymaster?: Address | undefined
  /** The operation's gas limits times its max fee, when known (for the gas budget). */
  maxCost?: bigint | undefined
  /** True when the operation carries an off-chain grant: a session not yet created is then fine. */
  withGrant?: boolean | undefined
}

/**
 * The pre-flight check, run before anything is sent: the module's rules applied to the
 * exact calls, with the session's spent amounts read from chain and the chain's time.
 * Throws the error the chain would give, with token amounts in the token's units when the
 * token says its symbol and decimals ("call 2: amount 600 TUSD would bring the total spent
 * on TUSD to 1,200 TUSD, over the limit of 1,000 TUSD").
 *
 * @example
 * import { preflight } from 'session-keys'
 * await preflight(client, { session, calls })
 */
export async function preflight(client: Client, parameters: PreflightParameters): Promise<void> {
  const session = assertSession(parameters?.session)
  const { calls, paymaster, maxCost } = parameters
  if (calls === undefined && parameters.callData === undefined) {
    throw new InvalidParameterError({ field: 'calls', reason: 'give the calls (or the account callData) to check' })
  }
  const callData = parameters.callData ?? encodeExecute(session.account, calls ?? [])
  const [usage, block, tokens] = await Promise.all([
    getSessionUsage(client, { session }),
    getBlock(client, { blockTag: 'latest' }),
    readTokenInfo(client, session),
  ])
  // With a grant, the module creates the session in this very validation, with fresh counters.
  const effective =
    parameters.withGrant && !usage.exists && !usage.revoked
      ? { exists: true, revoked: false, enabled: session.enabled, gasSpent: 0n, targets: {} }
      : usage
  checkSessionOperation(session, effective, { callData, paymaster, maxCost }, { now: Number(block.timestamp), tokens })
}

/** Symbols and decimals of the destinations with a token limit, when they answer both. */
async function readTokenInfo(client: Client, session: Session): Promise<Record<string, TokenInfo>> {
  const limited = session.permissions.filter((p) => p.tokenLimit !== undefined).map((p) => p.target)
  const metadata = await readTokenMetadata(client, limited, ['symbol', 'decimals'])
  return Object.fromEntries(
    Object.entries(metadata).flatMap(([address, { symbol, decimals }]) =>
      symbol !== undefined && decimals !== undefined ? [[address, { symbol, decimals }]] : [],
    ),
  )
}
