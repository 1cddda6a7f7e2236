import { type Address, encodeAbiParameters, type Hex, keccak256, maxUint256 } from 'viem'
import { InvalidParameterError } from '../errors/parameter.js'
import type { Session } from '../policy/dataTypes.js'
import {
  PERMISSION_ANY_TARGET,
  PERMISSION_DELEGATECALL,
  PERMISSION_EMPTY_CALLDATA,
  PERMISSION_TRY_MODE,
  ruleConditions,
} from '../policy/policyFlags.js'
import { checkPermissionTargets } from '../policy/sessionStoreLib.js'
import { parseAddress, parseBytes32, parseGasBudget, parseTimestamp } from '../utils/parse.js'
import { toPermission } from './permissions.js'

/** The `SessionConfig` struct the module's `createSession` takes. */
export type SessionConfigStruct = {
  sessionKey: Address
  salt: Hex
  validAfter: number
  validUntil: number
  enabled: boolean
  paymasters: readonly Address[]
  gasBudget: bigint
  permissions: readonly {
    target: Address
    selectors: readonly Hex[]
    tokenLimit: bigint
    valueLimitPerCall: bigint
    valueLimitTotal: bigint
    maxUses: bigint
    flags: number
    rules: readonly { selector: Hex; word: number; condition: number; bits: number; values: readonly Hex[] }[]
    recurring: { start: number; period: number; tokenLimit: bigint; valueLimit: bigint; maxUses: bigint }
  }[]
}

/**
 * The session as the module's `SessionConfig` struct ("no limit" → `type(uint256).max`).
 *
 * @example
 * import { encodeFunctionData } from 'viem'
 * import { sessionKeyValidatorAbi, toSessionConfig } from 'session-keys'
 * encodeFunctionData({ abi: sessionKeyValidatorAbi, functionName: 'createSession', args: [toSessionConfig(session)] })
 */
export function toSessionConfig(session: Session): SessionConfigStruct {
  const checked = assertSession(session)
  return {
    sessionKey: checked.sessionKey,
    salt: checked.salt,
    validAfter: checked.validAfter,
    validUntil: checked.validUntil,
    enabled: checked.enabled,
    paymasters: checked.paymasters,
    gasBudget: checked.gasBudget === 'unlimited' ? maxUint256 : checked.gasBudget,
    permissions: checked.permissions.map((p) => ({
      target: p.target,
      selectors: p.selectors,
      tokenLimit: p.tokenLimit ?? maxUint256,
      valueLimitPerCall: p.valueLimit ? (p.valueLimit.perCall ?? maxUint256) : 0n,
      valueLimitTotal: p.valueLimit ? (p.valueLimit.total ?? maxUint256) : 0n,
      maxUses: p.maxUses ?? maxUint256,
      flags:
        (p.allowDelegatecall ? PERMISSION_DELEGATECALL : 0) |
        (p.allowTryMode ? PERMISSION_TRY_MODE : 0) |
        (p.allowEmptyCalldata ? PERMISSION_EMPTY_CALLDATA : 0) |
        (p.anyDestination ? PERMISSION_ANY_TARGET : 0),
      rules: (p.rules ?? []).map((r) => ({
        selector: r.selector,
        word: r.word,
        condition: ruleConditions.indexOf(r.condition),
        bits: r.bits,
        values: r.values,
      })),
      // All zero: no recurring limits.
      recurring: p.recurring
        ? {
            start: p.recurring.start,
            period: p.recurring.period,
            tokenLimit: p.recurring.tokenLimit ?? maxUint256,
            valueLimit: p.recurring.valueLimit ?? maxUint256,
            maxUses: p.recurring.maxUses ?? maxUint256,
          }
        : { start: 0, period: 0, tokenLimit: 0n, valueLimit: 0n, maxUses: 0n },
    })),
  }
}

/**
 * The session a `SessionConfig` struct describes (the inverse of {@link toSessionConfig}):
 * e.g. one read back from the calldata that created it. Checked in full like any session.
 * Method labels are the selectors (a struct carries no signature).
 *
 * @example
 * import { fromSessionConfig } from 'session-keys'
 * const session = fromSessionConfig(config, { account, chainId, module })
 */
export function fromSessionConfig(
  config: SessionConfigStruct,
  where: { account: Address; chainId: number; module: Address },
): Session {
  const limit = (n: bigint) => (n === maxUint256 ? undefined : n)
  return assertSession({
    ...where,
    sessionKey: config.sessionKey,
    salt: config.salt,
    id: getSessionId(config.sessionKey, config.salt),
    validAfter: config.validAfter,
    validUntil: config.validUntil,
    enabled: config.enabled,
    paymasters: config.paymasters,
    gasBudget: config.gasBudget === maxUint256 ? 'unlimited' : config.gasBudget,
    permissions: config.permissions.map((p) => {
      const perCall = limit(p.valueLimitPerCall)
      const total = limit(p.valueLimitTotal)
      const r = p.recurring
      return {
        target: p.target,
        ...(p.flags & PERMISSION_ANY_TARGET ? { anyDestination: true } : {}),
        selectors: p.selectors,
        ...(limit(p.tokenLimit) === undefined ? {} : { tokenLimit: p.tokenLimit }),
        // On chain, value is allowed only when both limits are non-zero.
        ...(p.valueLimitPerCall === 0n || p.valueLimitTotal === 0n
          ? {}
          : {
              valueLimit: { ...(perCall === undefined ? {} : { perCall }), ...(total === undefined ? {} : { total }) },
            }),
        ...(limit(p.maxUses) === undefined ? {} : { maxUses: p.maxUses }),
        ...(p.rules.length === 0
          ? {}
          : {
              rules: p.rules.map((rule) => ({
                selector: rule.selector,
                word: rule.word,
                condition: ruleConditions[rule.condition],
                bits: rule.bits,
                values: rule.values,
              })),
            }),
        ...(r.period === 0
          ? {}
          : {
              recurring: {
                period: r.period,
                start: r.start,
                ...(limit(r.tokenLimit) === undefined ? {} : { tokenLimit: r.tokenLimit }),
                ...(limit(r.valueLimit) === undefined ? {} : { valueLimit: r.valueLimit }),
                ...(limit(r.maxUses) === undefined ? {} : { maxUses: r.maxUses }),
              },
            }),
        ...(p.flags & PERMISSION_DELEGATECALL ? { allowDelegatecall: true } : {}),
        ...(p.flags & PERMISSION_TRY_MODE ? { allowTryMode: true } : {}),
        ...(p.flags & PERMISSION_EMPTY_CALLDATA ? { allowEmptyCalldata: true } : {}),
      }
    }),
  })
}

/** At most this many destinations per session (keeps the grant's gas bounded). */
export const maxPermissionsPerSession = 16
/** At most this many paymasters per session. */
export const maxPaymastersPerSession = 8

/**
 * Checks that a value is a well-formed {@link Session} whose id matches its key and salt,
 * with every cross-check of {@link defineSession}: one validation path for sessions defined,
 * built by hand, deserialised or received from a dapp. Every SDK function that takes a
 * session calls it, so an edited, truncated or hostile session is refused before anything
 * is sent or signed. (Wallet-side functions also check the module: see `assertTrustedModule`.)
 *
 * @throws {InvalidParameterError} naming the bad field.
 * @example
 * import { assertSession } from 'session-keys'
 * const session = assertSession(JSON.parse(stored))
 */
export function assertSession(session: unknown, field = 'session'): Session {
  if (typeof session !== 'object' || session === null) {
    throw new InvalidParameterError({
      field,
      value: session,
      reason: 'not a session object',
      fix: 'use defineSession()',
    })
  }
  const s = session as Record<string, unknown>
  const at = field === '' ? '' : `${field}.`
  const account = parseAddress(s.account, `${at}account`)
  const module = parseAddress(s.module, `${at}module`)
  const sessionKey = parseAddress(s.sessionKey, `${at}sessionKey`)
  if (BigInt(sessionKey) === 0n) {
    throw new InvalidParameterError({
      field: `${at}sessionKey`,
      reason: 'the zero address',
      fix: 'use generateSessionKey()',
    })
  }
  if (sessionKey === account) {
    throw new InvalidParameterError({
      field: `${at}sessionKey`,
      reason: 'the account itself',
      fix: 'use a fresh key from generateSessionKey()',
    })
  }
  if (BigInt(module) === 0n || module === account) {
    throw new InvalidParameterError({ field: `${at}module`, value: module, reason: 'not a module address' })
  }
  const rotatedKey = s.rotatedKey === undefined ? undefined : parseAddress(s.rotatedKey, `${at}rotatedKey`)
  if (rotatedKey !== undefined && (BigInt(rotatedKey) === 0n || rotatedKey === account || rotatedKey === module)) {
    throw new InvalidParameterError({
      field: `${at}rotatedKey`,
      value: rotatedKey,
      reason: 'the zero address, the account or the module: no key of a session',
      fix: 'rotate to a fresh key from generateSessionKey()',
    })
  }
  const salt = parseBytes32(s.salt, `${at}salt`)
  const id = parseBytes32(s.id, `${at}id`)
  if (typeof s.chainId !== 'number' || !Number.isSafeInteger(s.chainId) || s.chainId <= 0) {
    throw new InvalidParameterError({ field: `${at}chainId`, value: s.chainId, reason: 'not a positive integer' })
  }
  const validAfter = parseTimestamp(s.validAfter, `${at}validAfter`)
  const validUntil = parseTimestamp(s.validUntil, `${at}validUntil`)
  if (validUntil <= validAfter) {
    throw new InvalidParameterError({
      field: `${at}validUntil`,
      value: validUntil,
      reason: `the end (${validUntil}) is not after the start (${validAfter})`,
      fix: 'give an end later than the start',
    })
  }
  if (typeof s.enabled !== 'boolean') {
    throw new InvalidParameterError({ field: `${at}enabled`, value: s.enabled, reason: 'not a boolean' })
  }
  if (id !== getSessionId(sessionKey, salt)) {
    throw new InvalidParameterError({
      field: `${at}id`,
      value: id,
      reason: 'does not match keccak256(abi.encode(sessionKey, salt)): the session was altered',
      fix: 'use the session exactly as defineSession returned it',
    })
  }
  if (!Array.isArray(s.permissions) || s.permissions.length === 0) {
    throw new InvalidParameterError({
      field: `${at}permissions`,
      value: s.permissions,
      reason: 'no permission given',
      fix: 'list at least one { whitelistDestination, whitelistMethods }',
    })
  }
  if (s.permissions.length > maxPermissionsPerSession) {
    throw new InvalidParameterError({
      field: `${at}permissions`,
      reason: `more than ${maxPermissionsPerSession} destinations`,
      fix: 'split them across sessions',
    })
  }
  const permissions = s.permissions.map((p, i) => toPermission(p, `${at}permissions[${i}]`))
  checkPermissionTargets(permissions, { account, module, field: `${at}permissions` })
  const paymasters = parsePaymasters(s.paymasters ?? [], `${at}paymasters`)
  const gasBudget = parseGasBudget(s.gasBudget, `${at}gasBudget`)
  return {
    account,
    chainId: s.chainId,
    module,
    sessionKey,
    ...(rotatedKey === undefined ? {} : { rotatedKey }),
    salt,
    id,
    validAfter,
    validUntil,
    enabled: s.enabled,
    permissions,
    paymasters,
    gasBudget,
  }
}

/**
 * The key whose signatures count for `session`: the one it was rotated to, else its own.
 *
 * @example
 * import { getSigningKey } from 'session-keys'
 * const signer = getSigningKey(session) // the address the dapp's private key must have
 */
export function getSigningKey(session: Pick<Session, 'sessionKey' | 'rotatedKey'>): Address {
  return session.rotatedKey ?? session.sessionKey
}

/**
 * The on-chain id of the session of `sessionKey` created with `salt`.
 *
 * @example
 * import { getSessionId } from 'session-keys'
 * const id = getSessionId(session.sessionKey, session.salt)
 */
export function getSessionId(sessionKey: Address, salt: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [sessionKey, salt]))
}

/** A list of distinct, non-zero paymaster addresses, or a typed error naming `field`. */
export function parsePaymasters(value: unknown, field: string): Address[] {
  if (!Array.isArray(value)) throw new InvalidParameterError({ field, value, reason: 'not an array of addresses' })
  if (value.length > maxPaymastersPerSession) {
    throw new InvalidParameterError({ field, reason: `more than ${maxPaymastersPerSession} paymasters` })
  }
  const paymasters = value.map((v, i) => parseAddress(v, `${field}[${i}]`))
  paymasters.forEach((p, i) => {
    if (BigInt(p) === 0n) throw new InvalidParameterError({ field: `${field}[${i}]`, reason: 'the zero address' })
    if (paymasters.indexOf(p) !== i) {
      throw new InvalidParameterError({ field: `${field}[${i}]`, value: p, reason: 'listed twice' })
    }
  })
  return paymasters
}
