import { type Hex, keccak256, stringToHex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { InvalidParameterError } from '../errors/parameter.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession, getSigningKey } from './encode.js'
import { assertGrant, type SessionGrant } from './grant.js'

/** What a dapp keeps of a session: the session, and optionally its private key and grant. */
export type StoredSession = {
  session: Session
  /** The session key's private key (keep the string where the dapp keeps secrets). */
  privateKey?: Hex | undefined
  /** The owner's off-chain grant, until the module has created the session. */
  grant?: SessionGrant | undefined
}

const FORMAT = 'session-keys/session'
const VERSION = 1

/**
 * Turns a session (and its key and grant) into a JSON string, with a checksum so that a
 * truncated or edited copy is refused when loaded. The string holds the private key if
 * given: store it like a password.
 *
 * @example
 * import { serializeSession } from 'session-keys'
 * localStorage.setItem('session', serializeSession({ session, privateKey: key.privateKey }))
 */
export function serializeSession(stored: StoredSession): string {
  const body = checkStored(stored, 'stored')
  const payload = { format: FORMAT, version: VERSION, ...body }
  const json = canonical(payload)
  return JSON.stringify({ ...JSON.parse(json), checksum: keccak256(stringToHex(json)) })
}

/**
 * Loads a session saved by {@link serializeSession}, checking everything: the format, the
 * checksum, every field of the session (its id against its key and salt), that the private
 * key is the session's key, and the grant's shape.
 *
 * @throws {InvalidParameterError} naming what is wrong.
 * @example
 * import { deserializeSession } from 'session-keys'
 * const { session, privateKey } = deserializeSession(localStorage.getItem('session')!)
 */
export function deserializeSession(json: string): StoredSession {
  if (typeof json !== 'string') {
    throw new InvalidParameterError({ field: 'json', value: json, reason: 'not a string' })
  }
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(json)
  } catch (cause) {
    throw new InvalidParameterError({
      field: 'json',
      reason: 'not valid JSON (truncated or edited?)',
      fix: 'load the string exactly as serializeSession wrote it',
      cause,
    })
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.format !== FORMAT) {
    throw new InvalidParameterError({ field: 'json.format', value: parsed?.format, reason: `not a ${FORMAT} document` })
  }
  if (parsed.version !== VERSION) {
    throw new InvalidParameterError({
      field: 'json.version',
      value: parsed.version,
      reason: `version ${String(parsed.version)} is not supported (expected ${VERSION})`,
    })
  }
  const { checksum, ...payload } = parsed
  if (checksum !== keccak256(stringToHex(canonical(payload)))) {
    throw new InvalidParameterError({
      field: 'json.checksum',
      reason: 'does not match the content: the session was edited or truncated',
      fix: 'load the string exactly as serializeSession wrote it, or grant a new session',
    })
  }
  return checkStored(
    {
      session: payload.session as Session,
      privateKey: payload.privateKey as Hex,
      grant: payload.grant as SessionGrant,
    },
    'json',
  )
}

function checkStored(stored: StoredSession, field: string): StoredSession {
  if (typeof stored !== 'object' || stored === null) {
    throw new InvalidParameterError({ field, value: stored, reason: 'not an object' })
  }
  const session = assertSession(stored.session, `${field}.session`)
  const out: StoredSession = { session }
  if (stored.privateKey !== undefined) {
    if (typeof stored.privateKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(stored.privateKey)) {
      throw new InvalidParameterError({ field: `${field}.privateKey`, reason: 'not a 32-byte private key' })
    }
    if (privateKeyToAddress(stored.privateKey) !== getSigningKey(session)) {
      throw new InvalidParameterError({
        field: `${field}.privateKey`,
        reason: "it is not the session key's private key",
        fix: 'store the key generated for this session',
      })
    }
    out.privateKey = stored.privateKey
  }
  if (stored.grant !== undefined) out.grant = assertGrant(stored.grant, `${field}.grant`)
  return out
}

/** JSON with sorted keys and bigints as decimal strings: the same bytes for the same content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === 'bigint') return v.toString()
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      )
    }
    return v
  })
}
