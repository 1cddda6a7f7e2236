import { type Address, decodeErrorResult, type Hex } from 'viem'
import { entryPoint07Abi } from 'viem/account-abstraction'
import type { BaseError } from '../errors/base.js'
import { callRefusals } from '../errors/callRefusals.js'
import {
  InvalidSessionSignatureError,
  PeriodLimitExceededError,
  SessionDisabledError,
  SessionExpiredError,
  SessionGrantEpochInvalidError,
  SessionGrantExpiredError,
  SessionGrantInvalidError,
  SessionNotFoundError,
  SessionNotYetValidError,
  SessionRevokedError,
  SpendingLimitExceededError,
  UserOperationRejectedError,
} from '../errors/session.js'
import { validatorCallsAbi } from '../generated/validatorCallsAbi.js'
import { periodBounds } from '../policy/checkSessionOperation.js'
import type { Session } from '../policy/dataTypes.js'

/** What the EntryPoint said when it refused an operation in validation. */
export type EntryPointRejection = {
  /** The EntryPoint's reason string, e.g. `AA23 reverted` or `AA24 signature error`. */
  reason: string
  /** The validator's revert data, for `FailedOpWithRevert`. */
  inner?: Hex | undefined
}

/**
 * Turns an EntryPoint rejection into the SDK's typed error, in the session's terms.
 *
 * @param context.session The session the operation used, if it was a session-key operation.
 * @param context.now The chain's time, to tell "expired" from "not yet valid".
 * @param context.enableBefore The carried grant's deadline, to tell an expired grant apart.
 */
export function fromEntryPointRejection(
  rejection: EntryPointRejection,
  context: {
    session?: Session | undefined
    now?: number | undefined
    /** The deadline of the grant the operation carried, if it created the session. */
    enableBefore?: number | undefined
    cause?: unknown
  } = {},
): BaseError {
  const { session, now, cause } = context
  const { reason, inner } = rejection
  if (reason.startsWith('AA22') && session) {
    if (now !== undefined && now < session.validAfter) {
      return new SessionNotYetValidError({ sessionId: session.id, validAfter: session.validAfter, cause })
    }
    // A grant's deadline narrows the window of the operation that creates the session.
    if (context.enableBefore !== undefined && context.enableBefore < session.validUntil) {
      if (now === undefined || now > context.enableBefore) {
        return new SessionGrantExpiredError({ sessionId: session.id, enableBefore: context.enableBefore, cause })
      }
    }
    // Inside the session's window, a session with recurring limits was refused for the period
    // its signature claims: the operation was validated in another period.
    if (
      session.permissions.some((p) => p.recurring !== undefined) &&
      (now === undefined || (now >= session.validAfter && now <= session.validUntil))
    ) {
      return callRefusals.periodPassed({ cause })
    }
    return new SessionExpiredError({ sessionId: session.id, validUntil: session.validUntil, cause })
  }
  if (reason.startsWith('AA24') && session) return new InvalidSessionSignatureError({ cause })
  if (inner && inner !== '0x') {
    const decoded = decodeModuleError(inner, cause, session)
    if (decoded) return decoded
  }
  return new UserOperationRejectedError({ reason, cause })
}

const accountOf = (session: Session | undefined): Address =>
  session?.account ?? '0x0000000000000000000000000000000000000000'

function decodeModuleError(data: Hex, cause: unknown, session: Session | undefined): BaseError | undefined {
  let error: ReturnType<typeof decodeErrorResult<typeof validatorCallsAbi>>
  try {
    error = decodeErrorResult({ abi: validatorCallsAbi, data })
  } catch {
    return undefined
  }
  const args = (error.args ?? []) as readonly unknown[]
  const index = Number(args[0] ?? 0)
  const target = args[1] as Address | undefined
  switch (error.errorName) {
    case 'SessionRevoked':
      return new SessionRevokedError({ sessionId: args[0] as Hex, cause })
    case 'SessionNotFound':
      return new SessionNotFoundError({ sessionId: args[0] as Hex, account: accountOf(session), cause })
    case 'SessionGrantEpochInvalid':
      return new SessionGrantEpochInvalidError({
        sessionId: args[0] as Hex,
        grantEpoch: args[1] as bigint,
        currentEpoch: args[2] as bigint,
        cause,
      })
    case 'SessionGrantInvalid':
      return new SessionGrantInvalidError({ sessionId: args[0] as Hex, cause })
    case 'SessionDisabled':
      return new SessionDisabledError({ sessionId: args[0] as Hex, cause })
    case 'SessionTargetNotAllowed':
      return callRefusals.targetNotAllowed(index, target, { cause })
    case 'SessionSelectorNotAllowed':
      return callRefusals.selectorNotAllowed(index, target, args[2] as Hex, { cause })
    case 'SessionValueNotAllowed':
      return callRefusals.valueNotAllowed(index, args[1] as bigint, { cause })
    case 'SessionCallDataInvalid':
      return callRefusals.callDataInvalid(index, target, { cause })
    case 'SessionCalldataMalformed':
      return callRefusals.calldataMalformed({ cause })
    case 'SessionExecutionModeNotAllowed':
      return callRefusals.executionModeNotAllowed(args[0] as Hex, { cause })
    case 'SessionPaymasterNotAllowed':
      return callRefusals.paymasterNotAllowed(args[0] as Address, { cause })
    case 'SessionCallTypeNotAllowed':
      return callRefusals.callTypeNotAllowed(index, target, { cause })
    case 'SessionRuleViolated':
      return callRefusals.ruleViolated(index, target, args[2] as Hex, args[3] as bigint, { cause })
    case 'SessionValuePerCallExceeded':
      return callRefusals.valuePerCallExceeded(index, target, args[2] as bigint, args[3] as bigint, { cause })
    case 'SessionValueLimitExceeded':
      return callRefusals.valueLimitExceeded(index, target, args[2] as bigint, args[3] as bigint, args[4] as bigint, {
        cause,
      })
    case 'SessionUsesExceeded':
      return callRefusals.usesExceeded(index, target, args[2] as bigint, { cause })
    case 'SessionGasBudgetExceeded':
      return callRefusals.gasBudgetExceeded(args[0] as bigint, args[1] as bigint, {
        cause,
        budget: typeof session?.gasBudget === 'bigint' ? session.gasBudget : undefined,
      })
    case 'SessionTimeClaimInvalid':
      return callRefusals.timeClaimInvalid(index, target, args[2] as bigint, { cause })
    case 'SessionPeriodStale':
      return callRefusals.periodStale(index, target, args[2] as bigint, args[3] as bigint, { cause })
    case 'SessionPeriodLimitExceeded': {
      const period = args[3] as bigint
      const recurring = session?.permissions.find((p) => p.target === target)?.recurring
      return new PeriodLimitExceededError({
        index,
        target: target as Address,
        kind: (['token', 'value', 'uses'] as const)[Number(args[2])] ?? 'token',
        period,
        spent: args[4] as bigint,
        amount: args[5] as bigint,
        limit: args[6] as bigint,
        resetsAt: recurring ? periodBounds(recurring, period).end + 1 : undefined,
        cause,
      })
    }
    case 'SessionLimitExceeded':
      return new SpendingLimitExceededError({
        index,
        target: target as Address,
        spent: args[2] as bigint,
        amount: args[3] as bigint,
        limit: args[4] as bigint,
        cause,
      })
    default:
      return new UserOperationRejectedError({ reason: `the session module refused it (${error.errorName})`, cause })
  }
}

/**
 * Finds an EntryPoint `FailedOp` / `FailedOpWithRevert` inside an error from a node, if
 * there is one: decoded by viem already, or as raw revert data anywhere in the cause chain
 * (nodes differ in where they put it).
 */
export function findEntryPointRejection(error: unknown): EntryPointRejection | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const data = (e as { data?: unknown }).data
    if (isDecoded(data)) return fromDecoded(data.errorName, data.args)
    for (const candidate of revertDataCandidates(e)) {
      try {
        const decoded = decodeErrorResult({ abi: entryPoint07Abi, data: candidate })
        if (decoded.errorName === 'FailedOp' || decoded.errorName === 'FailedOpWithRevert') {
          return fromDecoded(decoded.errorName, decoded.args as readonly unknown[])
        }
      } catch {
        // not an EntryPoint error; keep looking
      }
    }
  }
  return undefined
}

function isDecoded(data: unknown): data is { errorName: string; args: readonly unknown[] } {
  const name = (data as { errorName?: unknown } | undefined)?.errorName
  return name === 'FailedOp' || name === 'FailedOpWithRevert'
}

function fromDecoded(errorName: string, args: readonly unknown[]): EntryPointRejection {
  return { reason: String(args[1]), inner: errorName === 'FailedOpWithRevert' ? (args[2] as Hex) : undefined }
}

function revertDataCandidates(e: unknown): Hex[] {
  const found: Hex[] = []
  const data = (e as { data?: unknown }).data
  if (typeof data === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(data)) found.push(data as Hex)
  const nested = (data as { data?: unknown } | undefined)?.data
  if (typeof nested === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(nested)) found.push(nested as Hex)
  for (const text of [(e as { details?: unknown }).details, (e as { message?: unknown }).message]) {
    if (typeof text !== 'string') continue
    for (const match of text.matchAll(/return data: (0x[0-9a-fA-F]{8,})/g)) found.push(match[1] as Hex)
  }
  return found
}
