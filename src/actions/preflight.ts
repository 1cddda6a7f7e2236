import {
  type Address,
  type Call,
  type Client,
  type GetBlockErrorType,
  getAddress,
  type Hex,
  type ReadContractErrorType,
} from 'viem'
import { getBlock, readContract } from 'viem/actions'
import { encodeExecute } from '../account/execution.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { InvalidSessionSignatureError, type SessionRefusalErrorType } from '../errors/session.js'
import { validatorViewsAbi } from '../generated/validatorCallsAbi.js'
import {
  callTargetsOf,
  checkSessionOperation,
  maxCostOf,
  type SessionUsage,
  type TargetUsage,
  type TokenInfo,
  type UserOperationGas,
} from '../policy/checkSessionOperation.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession, getSigningKey } from '../session/encode.js'
import { assertGrant, assertOwnerSignedGrant, type SessionGrant } from '../session/grant.js'
import { formatTime } from '../utils/format.js'
import { parseAddress } from '../utils/parse.js'
import { readTokenMetadata } from './readTokenMetadata.js'

/**
 * Reads what the chain has counted for a session: its state, gas spent, and per
 * destination the token amount, native value and calls counted.
 *
 * @param client A client on the session's chain.
 * @param parameters The session.
 * @returns Whether it exists, is revoked or enabled, the gas left, the epoch, and per destination the token amount, value and calls counted.
 * @example
 * import { getSessionUsage } from 'session-keys'
 * const usage = await getSessionUsage(client, { session })
 */
export async function getSessionUsage(
  client: Client,
  parameters: GetSessionUsageParameters,
): Promise<GetSessionUsageReturnType> {
  const session = assertSession(parameters?.session)
  const base = { address: session.module, abi: validatorViewsAbi } as const
  // An any-destination permission counts on each destination it reaches: read those too.
  const given: unknown = parameters.targets ?? []
  if (!Array.isArray(given)) {
    throw new InvalidParameterError({
      field: 'targets',
      value: given,
      reason: 'not an array of addresses',
      fix: 'give the destinations to read, e.g. [token]',
    })
  }
  const extra = given
    .map((t, i) => parseAddress(t, `targets[${i}]`))
    .filter((t, i, all) => all.indexOf(t) === i && !session.permissions.some((p) => p.target === t))
  const read = [...session.permissions.map((p) => p.target), ...extra]
  const recurring = session.permissions.filter((p) => p.recurring !== undefined)
  // Cumulative-sum rules: each one's total, by destination, selector and position among its selector's rules.
  const sums = session.permissions.flatMap((p) =>
    (p.rules ?? []).flatMap((rule) => {
      const same = (p.rules ?? []).filter((r) => r.selector === rule.selector)
      const at = same.indexOf(rule)
      return rule.condition === 'sumLte' ? [{ target: p.target, selector: rule.selector, at, of: same.length }] : []
    }),
  )
  const [state, gas, epoch, targets, periods, [rotated, key], totals] = await Promise.all([
    readContract(client, { ...base, functionName: 'getSession', args: [session.account, session.id] }),
    readContract(client, { ...base, functionName: 'getGasLeft', args: [session.account, session.id] }),
    readContract(client, { ...base, functionName: 'getEpoch', args: [session.account] }),
    Promise.all(
      read.map((target) =>
        readContract(client, {
          ...base,
          functionName: 'getTargetUsage',
          args: [session.account, session.id, target],
        }),
      ),
    ),
    Promise.all(
      recurring.map((p) =>
        readContract(client, {
          ...base,
          functionName: 'getPeriodUsage',
          args: [session.account, session.id, p.target],
        }),
      ),
    ),
    readContract(client, { ...base, functionName: 'getSessionKey', args: [session.account, session.id] }),
    Promise.all(
      sums.map(({ target, selector, at }) =>
        readContract(client, {
          ...base,
          functionName: 'getRuleTotal',
          args: [session.account, session.id, target, selector, BigInt(at)],
        }),
      ),
    ),
  ])
  const [, , enabled, exists, revoked] = state
  const usage: Record<string, TargetUsage> = {}
  read.forEach((target, i) => {
    const [, tokenSpent, , valueSpent, , uses] = targets[i]
    usage[getAddress(target)] = { tokenSpent, valueSpent, uses }
  })
  recurring.forEach((p, i) => {
    const [, , index, , tokenSpent, , valueSpent, , uses] = periods[i]
    usage[getAddress(p.target)].period = { index, tokenSpent, valueSpent, uses }
  })
  sums.forEach(({ target, selector, at, of }, i) => {
    const counted = usage[getAddress(target)]
    const list = [...(counted.ruleTotals?.[selector] ?? Array.from({ length: of }, () => 0n))]
    list[at] = totals[i][1]
    counted.ruleTotals = { ...counted.ruleTotals, [selector]: list }
  })
  return { exists, revoked, enabled, gasLeft: gas, epoch, targets: usage, ...(rotated ? { rotatedKey: key } : {}) }
}

/** Parameters of {@link getSessionUsage}. */
export type GetSessionUsageParameters = {
  session: Session
  /** More destinations to read counters for: those an any-destination permission reaches. */
  targets?: readonly Address[] | undefined
}
/** Return type of {@link getSessionUsage}. */
export type GetSessionUsageReturnType = SessionUsage
/** Errors of {@link getSessionUsage}. */
export type GetSessionUsageErrorType = InvalidParameterError | ReadContractErrorType

/** Errors of {@link preflight}: bad input, the refusal the chain would give, or a failed read. */
export type PreflightErrorType = InvalidParameterError | SessionRefusalErrorType | ReadContractErrorType

/** Return type of {@link getValidationTime}: seconds. */
export type GetValidationTimeReturnType = number
/** Errors of {@link getValidationTime}. */
export type GetValidationTimeErrorType = GetBlockErrorType

/** Parameters of {@link preflight}. */
export type PreflightParameters = {
  session: Session
  /**
   * The user operation as it will be signed: its calldata, paymaster and gas fields are
   * checked exactly as the module checks them. Or give `calls` / `callData` alone (the gas
   * budget then needs `maxCost`).
   */
  userOperation?:
    | (UserOperationGas & { callData: Hex; paymaster?: Address | undefined; sender?: Address | undefined })
    | undefined
  /** The calls to check (or `callData`, the account calldata itself). */
  calls?: readonly Call[] | undefined
  callData?: Hex | undefined
  /** The paymaster the operation will name, if any. */
  paymaster?: Address | undefined
  /** The operation's gas limits times its max fee (see `maxCostOf`), when no user operation is given. */
  maxCost?: bigint | undefined
  /** The off-chain grant the operation carries, if it is to create the session. */
  grant?: SessionGrant | undefined
}

/** What {@link preflight} checked. */
export type PreflightReturnType = {
  /** The time the check assumed the operation is validated at: the next block's. */
  validatedAt: number
  /** The operation's maximum cost, as the gas budget charges it, when it was known. */
  maxCost: bigint | undefined
  /**
   * With recurring limits: the last second of the period the operation is charged to (the
   * earliest end among its destinations'). The chain refuses the operation after it.
   */
  periodEndsAt?: number | undefined
  /** Things to know before sending, e.g. that the period ends within a minute. */
  warnings: readonly string[]
}

/**
 * Seconds before a period's end under which {@link preflight} warns: an operation signed
 * then may be validated in the next period, which the chain refuses (bundlers also drop an
 * operation whose window ends within a few seconds).
 */
export const periodEndWarning = 60

/**
 * The pre-flight check, run before anything is sent: the module's rules applied to the
 * exact operation, with the session's counters read from chain, at the time the next block
 * will have (the chain validates there, not in the latest block). With a grant, its epoch,
 * deadline and owner signature are checked as the module will. Throws the error the chain
 * would give, with token amounts in the token's units when the token says its symbol and
 * decimals ("call 2: amount 600 TUSD would bring the total spent on TUSD to 1,200 TUSD, over
 * the limit of 1,000 TUSD").
 *
 * @param client A client on the session's chain.
 * @param parameters The session, and the user operation (or its calls) as it will be signed.
 * @returns The time the check assumed, and the operation's maximum cost.
 * @throws {PreflightErrorType} the refusal the chain would give.
 * @param client A client on the chain.
 * @returns Seconds: the next block's timestamp, at least the latest block's + 1.
 * @example
 * import { preflight } from 'session-keys'
 * const { validatedAt } = await preflight(client, { session, userOperation })
 */
export async function preflight(client: Client, parameters: PreflightParameters): Promise<PreflightReturnType> {
  const session = assertSession(parameters?.session)
  const { calls, userOperation } = parameters
  if (calls === undefined && parameters.callData === undefined && userOperation === undefined) {
    throw new InvalidParameterError({
      field: 'userOperation',
      reason: 'nothing to check',
      fix: 'give the user operation (or the calls, or the account callData)',
    })
  }
  if (userOperation?.sender !== undefined && getAddress(userOperation.sender) !== session.account) {
    throw new InvalidParameterError({
      field: 'userOperation.sender',
      value: userOperation.sender,
      reason: `not the session's account ${session.account}`,
    })
  }
  const grant = parameters.grant === undefined ? undefined : assertGrant(parameters.grant)
  const callData = userOperation?.callData ?? parameters.callData ?? encodeExecute(session.account, calls ?? [])
  const paymaster = userOperation ? userOperation.paymaster : parameters.paymaster
  const maxCost = userOperation ? maxCostOf(userOperation) : parameters.maxCost
  const [usage, validatedAt, tokens] = await Promise.all([
    getSessionUsage(client, {
      session,
      targets: session.permissions.some((p) => p.anyDestination) ? callTargetsOf(callData) : [],
    }),
    getValidationTime(client),
    readTokenInfo(client, session),
  ])
  const { periodEndsAt } = checkSessionOperation(
    session,
    usage,
    { callData, paymaster, maxCost, grant },
    { now: validatedAt, tokens },
  )
  // The module asks the account (ERC-1271) whether the owner signed the grant: so do we (epoch
  // and deadline were checked above, with the state already read).
  if (grant && !usage.exists && !usage.revoked) await assertOwnerSignedGrant(client, session, grant)
  // Last, as the module checks the signature last: the key that signs must be the chain's.
  const onChainKey = usage.rotatedKey ?? session.sessionKey
  if (usage.exists && onChainKey !== getSigningKey(session)) {
    throw new InvalidSessionSignatureError({ signingKey: onChainKey })
  }
  const warnings: string[] = []
  if (periodEndsAt !== undefined && periodEndsAt - validatedAt < periodEndWarning) {
    warnings.push(
      `The period of a recurring limit ends at ${formatTime(periodEndsAt)}, ${periodEndsAt - validatedAt + 1} s from now: if the operation is not validated by then, the chain refuses it; sign and send it again (it is then charged to the next period).`,
    )
  }
  return { validatedAt, maxCost, warnings, ...(periodEndsAt === undefined ? {} : { periodEndsAt }) }
}

/**
 * The time an operation sent now is validated at, at the earliest: the next block's
 * timestamp (the pending block's where the node has one, and at least the latest + 1).
 */
export async function getValidationTime(client: Client): Promise<GetValidationTimeReturnType> {
  const [latest, pending] = await Promise.all([
    getBlock(client, { blockTag: 'latest' }),
    getBlock(client, { blockTag: 'pending' }).catch(() => undefined),
  ])
  return Math.max(Number(latest.timestamp) + 1, Number(pending?.timestamp ?? 0n))
}
/** Symbols and decimals of the destinations with a token limit, when they answer both. */
async function readTokenInfo(client: Client, session: Session): Promise<Record<string, TokenInfo>> {
  const limited = session.permissions
    .filter((p) => p.tokenLimit !== undefined || p.recurring?.tokenLimit !== undefined)
    .map((p) => p.target)
  const metadata = await readTokenMetadata(client, { addresses: limited, fields: ['symbol', 'decimals'] })
  return Object.fromEntries(
    Object.entries(metadata).flatMap(([address, { symbol, decimals }]) =>
      symbol !== undefined && decimals !== undefined ? [[address, { symbol, decimals }]] : [],
    ),
  )
}
