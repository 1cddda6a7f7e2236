// Mirrors the validation path of contracts/session/SessionKeyValidator.sol, rule for rule and
// in the same order, so that the error the SDK predicts is the one the chain would give.
import { type Address, getAddress, type Hex, maxUint256, zeroAddress } from 'viem'
import { callRefusals } from '../errors/callRefusals.js'
import { InvalidParameterError } from '../errors/parameter.js'
import {
  PeriodLimitExceededError,
  SessionDisabledError,
  SessionExpiredError,
  SessionGrantEpochInvalidError,
  SessionGrantExpiredError,
  SessionNotFoundError,
  SessionNotYetValidError,
  SessionRevokedError,
  SpendingLimitExceededError,
} from '../errors/session.js'
import { argument, firstBroken } from './argRuleLib.js'
import type { Permission, Recurrence, Session } from './dataTypes.js'
import {
  batchAt,
  batchEndsAt,
  batchLength,
  CALLTYPE_BATCH,
  CALLTYPE_DELEGATECALL,
  CALLTYPE_SINGLE,
  type DecodedCall,
  decodeDelegate,
  decodeExecute,
  decodeMode,
  decodeSingle,
  EXECTYPE_TRY,
  toBytes,
  toHex,
} from './executionLib.js'
import { amountOf, isTokenSelector } from './tokenCallLib.js'

/** What the chain has counted for one destination of a session. */
export type TargetUsage = {
  tokenSpent: bigint
  valueSpent: bigint
  uses: bigint
  /** With recurring limits: the period last charged and what it counted (a later period starts from zero). */
  period?: PeriodUsage | undefined
  /**
   * What the `sumLte` rules kept in this destination's record have counted (`getRuleTotal`):
   * by selector (lower case), one total per rule of that selector, in order (0 for other rules).
   * An any-destination permission's rules are kept under the zero address.
   */
  ruleTotals?: Readonly<Record<string, readonly bigint[]>> | undefined
}

/** The counters of the period last charged (`getPeriodUsage` on the module). */
export type PeriodUsage = { index: bigint; tokenSpent: bigint; valueSpent: bigint; uses: bigint }

/** A session's state and counters on chain (see {@link getSessionUsage}). */
export type SessionUsage = {
  exists: boolean
  revoked: boolean
  enabled: boolean
  /** Wei left of the gas budget (`maxUint256` when unlimited, 0 for no session). */
  gasLeft: bigint
  /** The account's revocation epoch (what an off-chain grant must name). */
  epoch: bigint
  /** Keyed by checksummed destination address. */
  targets: Readonly<Record<string, TargetUsage>>
  /** The key the owner rotated the session to (`getSessionKey`), if any: then only it signs. */
  rotatedKey?: Address | undefined
}

/** The parts of a user operation the session checks. */
export type OperationToCheck = {
  /** The account's calldata: `execute(mode, executionCalldata)`. */
  callData: Hex
  /** The paymaster the operation names, if any. */
  paymaster?: Address | undefined
  /**
   * Every gas limit of the operation (the paymaster's too) times its max fee, as the module
   * charges it ({@link maxCostOf}). Required when the session has a gas budget.
   */
  maxCost?: bigint | undefined
  /** The off-chain grant the operation carries, if it is to create the session. */
  grant?: { epoch: bigint; enableBefore: number } | undefined
}

/** The gas fields of a v0.7 user operation that make its maximum cost. */
export type UserOperationGas = {
  preVerificationGas?: bigint | undefined
  verificationGasLimit?: bigint | undefined
  callGasLimit?: bigint | undefined
  paymasterVerificationGasLimit?: bigint | undefined
  paymasterPostOpGasLimit?: bigint | undefined
  maxFeePerGas?: bigint | undefined
}

/**
 * The most an operation can cost, as `_chargeGasBudget` computes it and the EntryPoint
 * reserves it: every gas limit it signed, the paymaster's included, times its max fee.
 *
 * @example
 * import { maxCostOf } from 'session-keys'
 * const wei = maxCostOf(userOperation)
 */
export function maxCostOf(userOperation: UserOperationGas): bigint {
  const gas =
    (userOperation.verificationGasLimit ?? 0n) +
    (userOperation.callGasLimit ?? 0n) +
    (userOperation.preVerificationGas ?? 0n) +
    (userOperation.paymasterVerificationGasLimit ?? 0n) +
    (userOperation.paymasterPostOpGasLimit ?? 0n)
  return gas * (userOperation.maxFeePerGas ?? 0n)
}

/** Details for messages: token symbols and decimals by destination. */
export type TokenInfo = { symbol: string; decimals: number }

/** What {@link checkSessionOperation} found, as the module's `validationData` would say it. */
export type CheckSessionOperationReturnType = {
  /**
   * With recurring limits: the last second of the periods the operation is charged to (the
   * earliest among its destinations'); the EntryPoint refuses it after. Undefined otherwise.
   */
  periodEndsAt: number | undefined
}

/**
 * The period of a recurrence that `time` falls in (`_chargePeriod`), or undefined before its start.
 *
 * @example
 * import { periodAt } from 'session-keys'
 * const { index, end } = periodAt(permission.recurring, now) ?? {}
 */
export function periodAt(
  recurrence: Pick<Recurrence, 'start' | 'period'>,
  time: number,
): { index: bigint; start: number; end: number } | undefined {
  if (time < recurrence.start) return undefined
  const index = Math.floor((time - recurrence.start) / recurrence.period)
  return { index: BigInt(index), ...periodBounds(recurrence, index) }
}

/** The first and last second of period `index` of a recurrence. */
export function periodBounds(
  recurrence: Pick<Recurrence, 'start' | 'period'>,
  index: number | bigint,
): { start: number; end: number } {
  const start = recurrence.start + Number(index) * recurrence.period
  return { start, end: start + recurrence.period - 1 }
}

/**
 * The pre-flight check: predicts, without sending anything, whether the session module
 * would accept the operation, and throws the error the chain would give (call index, rule
 * and values). `usage` is what the chain has counted so far; `now` is the time the
 * operation will be validated at (the next block's, not the latest's). An operation that
 * carries a grant is checked as the module would create the session from it (epoch and
 * deadline here; the owner's signature needs the chain, see `preflight`).
 *
 * @example
 * import { checkSessionOperation, getSessionUsage } from 'session-keys'
 * checkSessionOperation(session, await getSessionUsage(client, { session }), { callData }, { now })
 */
export function checkSessionOperation(
  session: Session,
  usage: SessionUsage,
  operation: OperationToCheck,
  context: { now?: number | undefined; tokens?: Readonly<Record<string, TokenInfo>> | undefined } = {},
): CheckSessionOperationReturnType {
  // _enableFromGrant: a session never created is created from the grant, with fresh counters.
  const { grant } = operation
  let state = usage
  if (grant && !usage.exists && !usage.revoked) {
    checkGrantEpoch(session, grant, usage.epoch)
    state = {
      ...usage,
      exists: true,
      enabled: session.enabled,
      gasLeft: session.gasBudget === 'unlimited' ? maxUint256 : session.gasBudget,
      targets: {},
    }
  }
  if (!state.exists) throw new SessionNotFoundError({ sessionId: session.id, account: session.account })
  if (state.revoked) throw new SessionRevokedError({ sessionId: session.id })
  if (!state.enabled) throw new SessionDisabledError({ sessionId: session.id })

  checkPaymaster(session, operation.paymaster)
  if (session.gasBudget !== 'unlimited') {
    if (operation.maxCost === undefined) {
      throw new InvalidParameterError({
        field: 'maxCost',
        reason: 'the session has a gas budget, and the operation cost is needed to check it',
        fix: 'pass the user operation (or maxCostOf(userOperation))',
      })
    }
    checkGasBudget(session.gasBudget, state.gasLeft, operation.maxCost)
  }
  const recurring = session.permissions.some((p) => p.recurring !== undefined)
  if (recurring && context.now === undefined) {
    throw new InvalidParameterError({
      field: 'now',
      reason: 'the session has recurring limits, charged to the period of the time the operation is validated at',
      fix: 'pass the time the operation will be validated at (preflight uses the next block)',
    })
  }
  const counters = new Map<string, TargetUsage>(
    Object.entries(state.targets).map(([k, v]) => [k, { ...v, ...(v.period ? { period: { ...v.period } } : {}) }]),
  )
  // The module returns the periods it charged as the operation's window: so does the mirror.
  const claim = recurring ? { time: context.now as number, end: undefined } : undefined
  checkExecution(session, counters, toBytes(operation.callData), context.tokens ?? {}, claim)

  // The EntryPoint enforces the window after validation (validationData).
  if (context.now !== undefined) {
    if (context.now < session.validAfter) {
      throw new SessionNotYetValidError({ sessionId: session.id, validAfter: session.validAfter })
    }
    if (context.now > session.validUntil) {
      throw new SessionExpiredError({ sessionId: session.id, validUntil: session.validUntil })
    }
    if (grant && state !== usage) checkGrantDeadline(session, grant, context.now)
  }
  return { periodEndsAt: claim?.end }
}

/** A grant that creates its session (`_enableFromGrant`) names the account's current epoch. */
export function checkGrantEpoch(session: Session, grant: { epoch: bigint }, epoch: bigint): void {
  if (grant.epoch !== epoch) {
    throw new SessionGrantEpochInvalidError({ sessionId: session.id, grantEpoch: grant.epoch, currentEpoch: epoch })
  }
}

/**
 * The operation that creates a session from its grant gets the grant's deadline as its
 * `validUntil` (when earlier than the session's end): at `now`, inside the session's window,
 * past the deadline, the EntryPoint refuses it.
 */
export function checkGrantDeadline(session: Session, grant: { enableBefore: number }, now: number): void {
  if (now > grant.enableBefore && now <= session.validUntil) {
    throw new SessionGrantExpiredError({ sessionId: session.id, enableBefore: grant.enableBefore })
  }
}

function checkPaymaster(session: Session, paymaster: Address | undefined): void {
  if (paymaster === undefined) return
  if (!session.paymasters.some((p) => p.toLowerCase() === paymaster.toLowerCase())) {
    throw callRefusals.paymasterNotAllowed(paymaster)
  }
}

function checkGasBudget(budget: bigint, left: bigint, cost: bigint): void {
  if (cost > left) throw callRefusals.gasBudgetExceeded(left, cost, { budget })
}

type Counters = Map<string, TargetUsage>

function checkExecution(
  session: Session,
  counters: Counters,
  callData: Uint8Array,
  tokens: Readonly<Record<string, TokenInfo>>,
  claim: Claim | undefined,
) {
  for (const { index, call, tryMode, delegatecall } of executionCalls(callData)) {
    checkCall(session, counters, index, call, { tryMode, delegatecall }, tokens, claim)
  }
}

/**
 * `_checkExecution`'s walk: each call of `execute(mode, executionCalldata)` in order, decoded
 * as the account decodes it. Throws the module's refusal where the calldata or the mode is
 * malformed — lazily, so that a refusal of an earlier call comes first, as on chain.
 */
function* executionCalls(
  callData: Uint8Array,
): Generator<{ index: number; call: DecodedCall; tryMode: boolean; delegatecall: boolean }> {
  const decoded = decodeExecute(callData)
  if (!decoded) throw callRefusals.calldataMalformed()
  const { ok, callType, execType } = decodeMode(decoded.mode)
  const modeHex = `0x${decoded.mode.toString(16).padStart(64, '0')}` as Hex
  if (!ok || execType > EXECTYPE_TRY) throw callRefusals.executionModeNotAllowed(modeHex)
  const tryMode = execType === EXECTYPE_TRY
  const exec = decoded.executionCalldata

  if (callType === CALLTYPE_SINGLE) {
    const call = decodeSingle(exec)
    if (!call) throw callRefusals.calldataMalformed()
    yield { index: 0, call, tryMode, delegatecall: false }
  } else if (callType === CALLTYPE_BATCH) {
    const count = batchLength(exec)
    if (count === undefined) throw callRefusals.calldataMalformed()
    let offset = count * 0x20
    for (let i = 0; i < count; i++) {
      const element = batchAt(exec, i, offset)
      if (!element) throw callRefusals.calldataMalformed()
      yield { index: i, call: element.call, tryMode, delegatecall: false }
      offset = element.nextOffset
    }
    if (!batchEndsAt(exec, offset)) throw callRefusals.calldataMalformed()
  } else if (callType === CALLTYPE_DELEGATECALL) {
    const call = decodeDelegate(exec)
    if (!call) throw callRefusals.calldataMalformed()
    yield { index: 0, call, tryMode, delegatecall: true }
  } else {
    throw callRefusals.executionModeNotAllowed(modeHex)
  }
}

function checkCall(
  session: Session,
  counters: Counters,
  index: number,
  call: DecodedCall,
  callType: { tryMode: boolean; delegatecall: boolean },
  tokens: Readonly<Record<string, TokenInfo>>,
  claim: Claim | undefined,
): void {
  const { target, value, data } = call
  // A listed destination first; any other goes through the any-destination permission, if any.
  const permission =
    session.permissions.find((p) => p.target === target && !p.anyDestination) ??
    session.permissions.find((p) => p.anyDestination)
  if (BigInt(target) === 0n || target === session.account || target === getAddress(session.module) || !permission) {
    throw callRefusals.targetNotAllowed(index, target)
  }
  if ((callType.tryMode && !permission.allowTryMode) || (callType.delegatecall && !permission.allowDelegatecall)) {
    throw callRefusals.callTypeNotAllowed(index, target)
  }
  const usage = counters.get(target) ?? { tokenSpent: 0n, valueSpent: 0n, uses: 0n }
  counters.set(target, usage)
  if (value !== 0n) chargeValue(permission, usage, index, target, value)
  if (permission.maxUses !== undefined) {
    if (usage.uses >= permission.maxUses) {
      throw callRefusals.usesExceeded(index, target, permission.maxUses)
    }
    usage.uses += 1n
  }
  if (claim !== undefined && permission.recurring) {
    const { end } = chargePeriod(
      permission.recurring,
      usage,
      index,
      target,
      value,
      tokenAmount(permission, data),
      claim.time,
      tokens,
    )
    if (claim.end === undefined || end < claim.end) claim.end = end
  }

  if (data.length === 0 && permission.allowEmptyCalldata) return
  if (data.length < 4) throw callRefusals.callDataInvalid(index, target)
  const selector = toHex(data.subarray(0, 4))
  const listed = permission.selectors.includes(selector)
  if (isTokenSelector(selector) && listed) {
    const amount = amountOf(selector, data)
    if (amount === undefined) throw callRefusals.callDataInvalid(index, target)
    if (permission.tokenLimit !== undefined) {
      if (amount > permission.tokenLimit - usage.tokenSpent) {
        throw new SpendingLimitExceededError({
          index,
          target,
          spent: usage.tokenSpent,
          amount,
          limit: permission.tokenLimit,
          token: tokens[target],
        })
      }
      usage.tokenSpent += amount
    }
  } else if (!listed) {
    throw callRefusals.selectorNotAllowed(index, target, selector)
  }
  const rules = (permission.rules ?? []).filter((r) => r.selector === selector)
  // Sums count in the record that keeps the rules: destination 0 for an any-destination permission.
  const keeper = permission.anyDestination ? zeroAddress : target
  const kept = counters.get(keeper) ?? { tokenSpent: 0n, valueSpent: 0n, uses: 0n }
  const totals = [...(kept.ruleTotals?.[selector] ?? [])]
  const broken = firstBroken(rules, data, totals)
  if (broken >= 0) {
    const rule = rules[broken]
    const name = rule.arg ?? `argument ${rule.word}`
    const says =
      rule.condition === 'sumLte'
        ? `${name} ${argument(rule, data) ?? '(malformed)'} would bring its total to more than ${BigInt(rule.values[0])}; ${totals[broken] ?? 0n} counted so far`
        : rule.arg
          ? `${rule.arg} ${rule.condition} ${rule.values.map((v) => showWord(v, rule.type)).join(' | ')}`
          : undefined
    throw callRefusals.ruleViolated(index, target, selector, broken, { rule: says })
  }
  if (rules.some((r) => r.condition === 'sumLte')) {
    kept.ruleTotals = { ...kept.ruleTotals, [selector]: totals }
    counters.set(keeper, kept)
  }
}

/**
 * The destinations an account calldata calls, as far as it decodes (the check refuses the
 * rest anyway), to read what an any-destination permission has counted on each.
 */
export function callTargetsOf(callData: Hex): Address[] {
  const targets: Address[] = []
  try {
    for (const { call } of executionCalls(toBytes(callData))) targets.push(call.target)
  } catch {
    // malformed from here on: checkSessionOperation gives the refusal
  }
  return targets
}

/** `_tokenAmount`: what a permitted token function moves, else 0 (malformed counts 0 here). */
function tokenAmount(permission: Permission, data: Uint8Array): bigint {
  if (data.length < 4) return 0n
  const selector = toHex(data.subarray(0, 4))
  if (!isTokenSelector(selector) || !permission.selectors.includes(selector)) return 0n
  return amountOf(selector, data) ?? 0n
}

/** The time an operation claims, and the earliest end of the periods it was charged to. */
type Claim = { time: number; end: number | undefined }

/** `_chargePeriod`: the period of the claimed time, never one before the last charged; returns its bounds. */
function chargePeriod(
  recurrence: Recurrence,
  usage: TargetUsage,
  index: number,
  target: Address,
  value: bigint,
  amount: bigint,
  claimed: number,
  tokens: Readonly<Record<string, TokenInfo>>,
): { start: number; end: number } {
  const charged = periodAt(recurrence, claimed)
  if (!charged) throw callRefusals.timeClaimInvalid(index, target, BigInt(claimed))
  const period = charged.index
  const last = usage.period ?? { index: 0n, tokenSpent: 0n, valueSpent: 0n, uses: 0n }
  if (period < last.index) throw callRefusals.periodStale(index, target, period, last.index)
  const counted = period > last.index ? { index: period, tokenSpent: 0n, valueSpent: 0n, uses: 0n } : last
  usage.period = counted
  const exceeded = (kind: 'token' | 'value' | 'uses', spent: bigint, more: bigint, limit: bigint) =>
    new PeriodLimitExceededError({
      index,
      target,
      kind,
      period,
      spent,
      amount: more,
      limit,
      resetsAt: charged.end + 1,
      token: tokens[target],
    })
  if (recurrence.maxUses !== undefined) {
    if (counted.uses >= recurrence.maxUses) throw exceeded('uses', counted.uses, 1n, recurrence.maxUses)
    counted.uses += 1n
  }
  if (recurrence.valueLimit !== undefined && value > recurrence.valueLimit - counted.valueSpent) {
    throw exceeded('value', counted.valueSpent, value, recurrence.valueLimit)
  }
  counted.valueSpent += value
  if (recurrence.tokenLimit !== undefined && amount > recurrence.tokenLimit - counted.tokenSpent) {
    throw exceeded('token', counted.tokenSpent, amount, recurrence.tokenLimit)
  }
  counted.tokenSpent += amount
  return charged
}

function chargeValue(permission: Permission, usage: TargetUsage, index: number, target: Address, value: bigint) {
  const limit = permission.valueLimit
  // On chain, value is allowed only when both limits are non-zero.
  if (!limit || limit.perCall === 0n || limit.total === 0n) {
    throw callRefusals.valueNotAllowed(index, value)
  }
  if (limit.perCall !== undefined && value > limit.perCall) {
    throw callRefusals.valuePerCallExceeded(index, target, value, limit.perCall)
  }
  if (limit.total !== undefined) {
    if (value > limit.total - usage.valueSpent) {
      throw callRefusals.valueLimitExceeded(index, target, usage.valueSpent, value, limit.total)
    }
    usage.valueSpent += value
  }
}

/** A rule value as its type reads: an address, or a number. */
function showWord(value: Hex, type: string | undefined): string {
  if (type === 'address') return getAddress(`0x${value.slice(26)}`)
  if (type?.startsWith('uint') || type?.startsWith('int') || type === 'bool') return BigInt(value).toString()
  return value
}
