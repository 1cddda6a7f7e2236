import type { Address } from 'viem'
import type { Session } from '../policy/dataTypes.js'
import { isTokenSelector, tokenFunctionSignatures } from '../policy/tokenCallLib.js'
import { assertSession } from './encode.js'
import { assertTrustedModule, type ModuleTrustOptions } from './trust.js'

/** A bound over the session's whole life, or `'unbounded'` with the reason. */
export type ExposureBound = { max: bigint; reason?: undefined } | { max: 'unbounded'; reason: string }

/** Parameters of {@link getSessionExposure}. */
export type GetSessionExposureParameters = {
  /** The session (from the dapp: hostile input, checked in full). */
  session: Session
} & ModuleTrustOptions

/** Return type of {@link getSessionExposure}. */
export type SessionExposure = {
  /**
   * Per destination where a token function is granted: the most its tokens can move. An
   * any-destination permission is one entry with `anyDestination` (token: the zero address),
   * always unbounded: its limit counts per token, on as many tokens as the account holds.
   */
  tokens: ({ token: Address; anyDestination?: true | undefined } & ExposureBound)[]
  /** Native value sent with calls, over all destinations. */
  value: ExposureBound
  /** What the operations' gas may cost (the account, or a listed paymaster charging it). */
  gas: ExposureBound
  /** Methods other than token functions: their effect is bounded only by rules and uses. */
  otherMethods: {
    target: Address
    /** The methods may be called on any contract no other permission names. */
    anyDestination?: true | undefined
    methods: string[]
    maxUses: bigint | undefined
  }[]
  /** Whether every token, value and gas bound is finite and no method escapes them. */
  bounded: boolean
}

/**
 * Wallet side: the most a session can cost the account over its whole life, computed from
 * what the module enforces — per token (the cumulative token limit), in native value (totals,
 * or per-call limits times use limits), and in gas (the budget). Where a permission has no
 * limit the bound is `'unbounded'`, with the reason; delegatecall makes everything unbounded.
 * Calls to other methods are listed apart: the session bounds them only by their argument
 * rules and use limits, not by what they do.
 *
 * @param parameters The session, and `allowUnknownModule` / `account` as for every wallet-side function.
 * @returns Per-token, value and gas bounds, the other methods, and whether all is bounded.
 * @throws {UntrustedModuleError} when the session names another module, without opt-in.
 * @example
 * import { getSessionExposure } from 'session-keys'
 * const { tokens, value, gas, bounded } = getSessionExposure({ session })
 */
export function getSessionExposure(parameters: GetSessionExposureParameters): SessionExposure {
  const checked = assertSession(parameters?.session)
  return exposureOf(checked, assertTrustedModule(checked, parameters))
}

/** The exposure of a session already checked (`assertSession`, `assertTrustedModule`). */
export function exposureOf(checked: Session, knownModule: boolean): SessionExposure {
  const delegate = checked.permissions.find((p) => p.allowDelegatecall)
  const everything = !knownModule
    ? `the module ${checked.module} is not the session-keys validator: it decides alone what the key may do`
    : delegate
      ? `delegatecall to ${delegate.target} runs that contract's code as the account: it can move anything`
      : undefined
  const tokens: SessionExposure['tokens'] = []
  const otherMethods: SessionExposure['otherMethods'] = []
  let value: ExposureBound = { max: 0n }
  for (const p of checked.permissions) {
    const labels = p.selectors.map((s, i) => p.methods?.[i] ?? tokenFunctionSignatures[s] ?? s)
    const tokenMethods = labels.filter((_, i) => isTokenSelector(p.selectors[i]))
    // A recurring limit bounds the session's life at (per period) × (periods it overlaps).
    const periods = p.recurring ? periodsOf(checked, p.recurring) : 0n
    const perLife = (perPeriod: bigint | undefined) => (perPeriod === undefined ? undefined : perPeriod * periods)
    const tokenMax = min(p.tokenLimit, perLife(p.recurring?.tokenLimit))
    const maxUses = min(p.maxUses, perLife(p.recurring?.maxUses))
    const any = p.anyDestination ? ({ anyDestination: true } as const) : {}
    if (tokenMethods.length > 0) {
      tokens.push(
        everything
          ? { token: p.target, ...any, max: 'unbounded', reason: everything }
          : p.anyDestination
            ? {
                token: p.target,
                ...any,
                max: 'unbounded',
                reason:
                  tokenMax === undefined
                    ? `${tokenMethods.join(', ')} on any token, with no token limit`
                    : `${tokenMethods.join(', ')} on any token: at most ${tokenMax} base units of each token, on as many tokens as the account holds`,
              }
            : tokenMax !== undefined
              ? { token: p.target, max: tokenMax }
              : { token: p.target, max: 'unbounded', reason: `no token limit on ${tokenMethods.join(', ')}` },
      )
    }
    const others = labels.filter((_, i) => !isTokenSelector(p.selectors[i]))
    if (others.length > 0) otherMethods.push({ target: p.target, ...any, methods: others, maxUses })
    const valueLimit =
      p.valueLimit && p.recurring?.valueLimit !== undefined
        ? { ...p.valueLimit, total: min(p.valueLimit.total, perLife(p.recurring.valueLimit)) }
        : p.valueLimit
    value = addValue(value, p.target, valueLimit, maxUses)
  }
  if (everything) value = { max: 'unbounded', reason: everything }
  const gas: ExposureBound =
    checked.gasBudget === 'unlimited'
      ? { max: 'unbounded', reason: "the owner opted out of a gas budget ('unlimited')" }
      : knownModule
        ? { max: checked.gasBudget }
        : { max: 'unbounded', reason: everything ?? '' }
  const bounded =
    tokens.every((t) => t.max !== 'unbounded') && value.max !== 'unbounded' && gas.max !== 'unbounded' && !everything
  return { tokens, value, gas, otherMethods, bounded }
}

/** How many periods of a recurrence the session's window touches (usable from the later start). */
export function periodsOf(session: Session, recurrence: { start: number; period: number }): bigint {
  const { start, period } = recurrence
  if (session.validUntil < start) return 0n
  const first = Math.floor((Math.max(session.validAfter, start) - start) / period)
  const last = Math.floor((session.validUntil - start) / period)
  return BigInt(last - first + 1)
}

function min(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  return a === undefined ? b : b === undefined || a < b ? a : b
}

/** Adds one destination's most native value to the running bound. */
function addValue(
  sum: ExposureBound,
  target: Address,
  limit: Session['permissions'][number]['valueLimit'],
  maxUses: bigint | undefined,
): ExposureBound {
  if (sum.max === 'unbounded' || limit === undefined) return sum
  const most =
    limit.total !== undefined
      ? limit.total
      : limit.perCall !== undefined && maxUses !== undefined
        ? limit.perCall * maxUses
        : undefined
  if (most === undefined) {
    return {
      max: 'unbounded',
      reason:
        limit.perCall === undefined
          ? `native value to ${target} has no limit`
          : `native value to ${target} has a per-call limit but no total and no use limit`,
    }
  }
  return { max: sum.max + most }
}
