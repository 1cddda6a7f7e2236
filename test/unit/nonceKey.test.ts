/** Nonce-key conventions: each account's own rule, applied to the nonce, finds the module again. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getAddress } from 'viem'
import { getValidatorNonceKey, InvalidParameterError, sessionKeyValidatorAddress } from '../../src/index.js'

const module = sessionKeyValidatorAddress
const mask160 = (1n << 160n) - 1n
const toAddress = (n: bigint) => getAddress(`0x${(n & mask160).toString(16).padStart(40, '0')}`)
/** A nonce as the EntryPoint builds it: key << 64 | sequence (a non-zero sequence on purpose). */
const nonceOf = (key: bigint) => (key << 64n) | 7n

describe('getValidatorNonceKey', () => {
  it("'erc7579' (default): OpenZeppelin's and Safe7579's rule, the nonce's 20 high bytes", () => {
    const nonce = nonceOf(getValidatorNonceKey(module))
    assert.equal(getValidatorNonceKey(module, 'erc7579'), getValidatorNonceKey(module))
    assert.equal(toAddress(nonce >> 96n), module) // address(bytes20(bytes32(nonce)))
  })

  it("'nexus': [3 bytes 0][1 byte mode][20 bytes validator], read as shr(96, shl(32, nonce))", () => {
    const nonce = nonceOf(getValidatorNonceKey(module, 'nexus'))
    const shifted = (nonce << 32n) & ((1n << 256n) - 1n)
    assert.equal(toAddress(shifted >> 96n), module)
    assert.equal((nonce >> 224n) & 0xffn, 0n, 'validation mode 0x00 (validate, no module enabling)')
  })

  it("'kernel-v3': [1 byte mode][1 byte type 0x01][20 bytes validator][2 bytes key]", () => {
    const nonce = nonceOf(getValidatorNonceKey(module, 'kernel-v3'))
    assert.equal((nonce >> 248n) & 0xffn, 0n, 'mode: default')
    assert.equal((nonce >> 240n) & 0xffn, 1n, 'type: validator')
    assert.equal(toAddress(nonce >> 80n), module)
  })

  it('takes a function for any other account, and refuses a key that does not fit or a name it does not know', () => {
    assert.equal(
      getValidatorNonceKey(module, (m) => BigInt(m)),
      BigInt(module),
    )
    assert.throws(
      () => getValidatorNonceKey(module, () => 1n << 192n),
      (e) => e instanceof InvalidParameterError && e.field === 'nonceKey',
    )
    assert.throws(
      () => getValidatorNonceKey(module, 'kernel' as never),
      (e) => e instanceof InvalidParameterError && /not a known convention/.test(e.message),
    )
  })
})
