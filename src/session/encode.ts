import { type Address, type Hex, maxUint256 } from 'viem'
import { InvalidParameterError } from '../errors/parameter.js'
import { getSessionId } from './defineSession.js'
import { toPermission } from './permissions.js'
import { ruleConditions } from './rules.js'
import type { Session } from './types.js'
import { parseAddress, parseAmount, parseBytes32, parseTimestamp } from './validate.js'

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
  }[]
}

/** Permission.flags bits (PolicyFlags.sol). */
const PERMISSION_DELEGATECALL = 1
const PERMISSION_TRY_MODE = 2
const PERMISSION_EMPTY_CALLDATA = 4

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
    gasBudget: checked.gasBudget ?? maxUint256,
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
        (p.allowEmptyCalldata ? PERMISSION_EMPTY_CALLDATA : 0),
      rules: (p.rules ?? []).map((r) => ({
        selector: r.selector,
        word: r.word,
        condition: ruleConditions.indexOf(r.condition),
        bits: r.bits,
        values: r.values,
      })),
    })),
  }
}

/**
 * Checks that a value is a well-formed {@link Session} whose id matches its key and salt.
 * Every SDK function that takes a session calls it, so an edited or truncated session is
 * refused before anything is sent.
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
  const account = parseAddress(s.account, `${field}.account`)
  const module = parseAddress(s.module, `${field}.module`)
  const sessionKey = parseAddress(s.sessionKey, `${field}.sessionKey`)
  const salt = parseBytes32(s.salt, `${field}.salt`)
  const id = parseBytes32(s.id, `${field}.id`)
  if (typeof s.chainId !== 'number' || !Number.isSafeInteger(s.chainId) || s.chainId <= 0) {
    throw new InvalidParameterError({ field: `${field}.chainId`, value: s.chainId, reason: 'not a positive integer' })
  }
  const validAfter = parseTimestamp(s.validAfter, `${field}.validAfter`)
  const validUntil = parseTimestamp(s.validUntil, `${field}.validUntil`)
  if (validUntil <= validAfter) {
    throw new InvalidParameterError({ field: `${field}.validUntil`, value: validUntil, reason: 'not after validAfter' })
  }
  if (typeof s.enabled !== 'boolean') {
    throw new InvalidParameterError({ field: `${field}.enabled`, value: s.enabled, reason: 'not a boolean' })
  }
  if (id !== getSessionId(sessionKey, salt)) {
    throw new InvalidParameterError({
      field: `${field}.id`,
      value: id,
      reason: 'does not match keccak256(abi.encode(sessionKey, salt)): the session was altered',
      fix: 'use the session exactly as defineSession returned it',
    })
  }
  if (!Array.isArray(s.permissions) || s.permissions.length === 0) {
    throw new InvalidParameterError({ field: `${field}.permissions`, value: s.permissions, reason: 'no permission' })
  }
  const permissions = s.permissions.map((p, i) => toPermission(p, `${field}.permissions[${i}]`))
  const paymasters = parsePaymasters(s.paymasters ?? [], `${field}.paymasters`)
  const gasBudget =
    s.gasBudget === undefined ? undefined : parseAmount(s.gasBudget, `${field}.gasBudget`, 2n ** 128n - 1n)
  return {
    account,
    chainId: s.chainId,
    module,
    sessionKey,
    salt,
    id,
    validAfter,
    validUntil,
    enabled: s.enabled,
    permissions,
    paymasters,
    ...(gasBudget === undefined ? {} : { gasBudget }),
  }
}

/** A list of distinct, non-zero paymaster addresses, or a typed error naming `field`. */
export function parsePaymasters(value: unknown, field: string): Address[] {
  if (!Array.isArray(value)) throw new InvalidParameterError({ field, value, reason: 'not an array of addresses' })
  const paymasters = value.map((v, i) => parseAddress(v, `${field}[${i}]`))
  paymasters.forEach((p, i) => {
    if (BigInt(p) === 0n) throw new InvalidParameterError({ field: `${field}[${i}]`, reason: 'the zero address' })
    if (paymasters.indexOf(p) !== i) {
      throw new InvalidParameterError({ field: `${field}[${i}]`, value: p, reason: 'listed twice' })
    }
  })
  return paymasters
}
