import { type Address, getAddress, type Hex, hexToNumber, size, sliceHex } from 'viem'
import { getSessionId } from '../session/encode.js'

/** `form | key (20) | salt (32) | r | s | v`: the "use" form's length (toSessionKeyAccount writes it). */
const useLength = 118
/** The claimed time (uint48) after `v` when the form has bit 0x02. */
const timeLength = 6

/** What a session-key signature names (the module's `_openSignature`, read back). */
export type SessionSignature = {
  sessionKey: Address
  salt: Hex
  sessionId: Hex
  /** The time it claims for recurring limits (form bit 0x02). */
  claimedTime: number | undefined
  /** The off-chain grant it carries (form bit 0x01): `abi.encode(SessionConfig, epoch, enableBefore, ownerSignature)`. */
  grant: Hex | undefined
}

/**
 * Reads a session-key signature as the module does: `form | key | salt | r | s | v`, then the
 * claimed time (form bit 0x02), then the grant (form bit 0x01). Undefined for any other shape
 * (an owner's signature, another validator's).
 */
export function readSessionSignature(signature: Hex): SessionSignature | undefined {
  if (size(signature) < useLength) return undefined
  const form = hexToNumber(sliceHex(signature, 0, 1))
  if (form > 3) return undefined
  const end = form & 2 ? useLength + timeLength : useLength
  const length = size(signature)
  if (form & 1 ? length <= end : length !== end) return undefined
  const sessionKey = getAddress(sliceHex(signature, 1, 21))
  const salt = sliceHex(signature, 21, 53)
  return {
    sessionKey,
    salt,
    sessionId: getSessionId(sessionKey, salt),
    claimedTime: form & 2 ? hexToNumber(sliceHex(signature, useLength, end)) : undefined,
    grant: form & 1 ? sliceHex(signature, end) : undefined,
  }
}
