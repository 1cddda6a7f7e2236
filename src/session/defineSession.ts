import { type Address, type Hex, toHex } from 'viem'
import { sessionKeyValidatorAddress } from '../constants/addresses.js'
import { InvalidParameterError } from '../errors/parameter.js'
import type { Permission, PermissionInput, Session, SessionValidity } from '../policy/dataTypes.js'
import { defaultGasBudget, nowSeconds, parseAddress, parseBytes32, parseTimestamp } from '../utils/parse.js'
import { assertSession, getSessionId } from './encode.js'
import { toPermission } from './permissions.js'

export { getSessionId, getSigningKey, maxPermissionsPerSession } from './encode.js'

/** Parameters of {@link defineSession}. */
export type DefineSessionParameters = {
  /** The smart account the session acts for. */
  account: Address
  /** The chain id the session is for. */
  chainId: number
  /** The session key's address (from {@link generateSessionKey}). */
  sessionKey: Address
  /** What the session may call: one entry per destination contract. */
  permissions: readonly PermissionInput[]
  /** When it starts and ends, and whether it is enabled at once. */
  validity: SessionValidity
  /**
   * Makes the id (`keccak256(sessionKey, salt)`) unique for a key used in several sessions. By
   * default a random 32-bit number in the salt's low bytes: every session operation carries the
   * salt, and its 28 zero bytes cost 4 gas each instead of 16 (about 340 gas an operation). A
   * fresh key per session needs nothing more; a key reused many times can pass its own salt.
   */
  salt?: Hex | undefined
  /** The validator module; the canonical deployment by default. */
  module?: Address | undefined
  /** The only paymasters the session's operations may name; none by default. */
  paymasters?: readonly Address[] | undefined
  /**
   * The most wei the session's operations may cost in total, at their signed gas limits and
   * max fee ({@link defaultGasBudget} by default). `'unlimited'` is an explicit opt-in that
   * the wallet shows as a warning: the session key could then spend the account's native
   * balance on gas.
   */
  gasBudget?: bigint | number | string | 'unlimited' | undefined
  /** "Now" in seconds, to check the end is in the future; the machine clock by default. */
  now?: number | undefined
}

/**
 * Describes a session (steps 2 and 3 of the flow) and checks every field. Nothing is sent:
 * pass the result to {@link getGrantSessionCalls} for the owner to approve.
 *
 * @throws {InvalidParameterError} naming the bad field.
 * @example
 * import { defineSession, generateSessionKey } from 'session-keys'
 * const key = generateSessionKey()
 * const session = defineSession({
 *   account, chainId: 1, sessionKey: key.address,
 *   permissions: [{ whitelistDestination: usdc, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: 1000n * 10n ** 6n }],
 *   validity: { endTimestamp: Math.floor(Date.now() / 1000) + 3600 },
 * })
 */
export function defineSession(parameters: DefineSessionParameters): Session {
  if (typeof parameters !== 'object' || parameters === null) {
    throw new InvalidParameterError({ field: 'parameters', value: parameters, reason: 'not an object' })
  }
  const account = parseAddress(parameters.account, 'account')
  const chainId = parameters.chainId
  if (typeof chainId !== 'number' || !Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new InvalidParameterError({ field: 'chainId', value: chainId, reason: 'not a positive integer' })
  }
  const sessionKey = parseAddress(parameters.sessionKey, 'sessionKey')
  const module = parseAddress(parameters.module ?? sessionKeyValidatorAddress, 'module')
  const salt = parameters.salt === undefined ? randomSalt() : parseBytes32(parameters.salt, 'salt')

  const { validity } = parameters
  if (typeof validity !== 'object' || validity === null) {
    throw new InvalidParameterError({
      field: 'validity',
      value: validity,
      reason: 'missing',
      fix: 'give { startTimestamp?, endTimestamp, enable? }',
    })
  }
  const now = parameters.now ?? nowSeconds()
  // No start given: usable at once. 0 rather than "now", because a session cannot be used
  // before it exists anyway, and clocks differ (the chain's, a bundler's, this machine's).
  const validAfter =
    validity.startTimestamp === undefined ? 0 : parseTimestamp(validity.startTimestamp, 'validity.startTimestamp')
  if (validity.endTimestamp === undefined) {
    throw new InvalidParameterError({
      field: 'validity.endTimestamp',
      reason: 'missing',
      fix: 'every session ends: give its end time in seconds or as a Date',
    })
  }
  const validUntil = parseTimestamp(validity.endTimestamp, 'validity.endTimestamp')
  if (validUntil <= validAfter) {
    throw new InvalidParameterError({
      field: 'validity.endTimestamp',
      value: validity.endTimestamp,
      reason: `the end (${validUntil}) is not after the start (${validAfter})`,
      fix: 'give an end later than the start',
    })
  }
  if (validUntil <= now) {
    throw new InvalidParameterError({
      field: 'validity.endTimestamp',
      value: validity.endTimestamp,
      reason: `the end (${validUntil}) is in the past (now is ${now})`,
      fix: 'give an end in the future',
    })
  }
  if (validity.enable !== undefined && typeof validity.enable !== 'boolean') {
    throw new InvalidParameterError({ field: 'validity.enable', value: validity.enable, reason: 'not a boolean' })
  }

  const inputs = parameters.permissions
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new InvalidParameterError({
      field: 'permissions',
      value: inputs,
      reason: 'no permission given',
      fix: 'list at least one { whitelistDestination, whitelistMethods }',
    })
  }
  // Recurring limits count their periods from the session's start, or from now.
  const recurrenceStart = validAfter === 0 ? now : validAfter
  const permissions: Permission[] = inputs.map((input, i) =>
    toPermission(input, `permissions[${i}]`, { recurrenceStart }),
  )
  const gasBudget = parameters.gasBudget === undefined ? defaultGasBudget : parameters.gasBudget
  // The same checks as a session received from elsewhere: one validation path for all.
  return assertSession(
    {
      account,
      chainId,
      module,
      sessionKey,
      salt,
      id: getSessionId(sessionKey, salt),
      validAfter,
      validUntil,
      enabled: validity.enable ?? true,
      permissions,
      paymasters: parameters.paymasters ?? [],
      gasBudget,
    },
    '',
  )
}

function randomSalt(): Hex {
  const salt = new Uint8Array(32)
  salt.set(crypto.getRandomValues(new Uint8Array(4)), 28)
  return toHex(salt)
}
