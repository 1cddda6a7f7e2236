import type { Address, Hex } from 'viem'
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts'

/** A freshly generated session key pair. Keep `privateKey` in the dapp; share only `address`. */
export type SessionKey = { privateKey: Hex; address: Address }

/**
 * Generates a new random session key pair (secp256k1), step 1 of the session flow.
 * Store the private key where the dapp keeps secrets; never log it.
 *
 * @example
 * import { generateSessionKey } from 'session-keys'
 * const sessionKey = generateSessionKey()
 * console.log(sessionKey.address)
 */
export function generateSessionKey(): SessionKey {
  const privateKey = generatePrivateKey()
  return { privateKey, address: privateKeyToAddress(privateKey) }
}
