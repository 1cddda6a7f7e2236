import type { Address } from 'viem'
import { InvalidParameterError } from '../errors/parameter.js'

/**
 * How an ERC-7579 account picks the validator of a user operation from its 24-byte nonce key
 * (the nonce is `key << 64 | sequence`):
 * - `'erc7579'` (default): the validator in the key's 20 high bytes, `validator << 32`. OpenZeppelin's
 *   `AccountERC7579` (this project's `SessionAccount`), the ERC-7579 reference implementation
 *   (MSA) and Rhinestone's Safe7579.
 * - `'nexus'`: `[3 bytes 0][1 byte validation mode 0x00][20 bytes validator]`, Biconomy Nexus.
 * - `'kernel-v3'`: `[1 byte mode 0x00][1 byte type 0x01, a validator][20 bytes validator][2 bytes 0]`,
 *   ZeroDev Kernel v3.
 * - a function of the module's address that returns the key, for any other account.
 *
 * CI runs sessions on `SessionAccount`, Kernel v3.1, Nexus 1.0.0, the MSA and Safe7579 (the
 * last four from the bytecode @rhinestone/modulekit ships: test/accounts).
 */
export type NonceKeyConvention = 'erc7579' | 'nexus' | 'kernel-v3' | ((module: Address) => bigint)

const maxKey = (1n << 192n) - 1n

/**
 * The nonce key under which an account validates operations with `module`.
 *
 * @example
 * import { getValidatorNonceKey } from 'session-keys'
 * const key = getValidatorNonceKey(sessionKeyValidatorAddress, 'nexus')
 */
export function getValidatorNonceKey(module: Address, convention: NonceKeyConvention = 'erc7579'): bigint {
  const validator = BigInt(module)
  const key =
    typeof convention === 'function'
      ? convention(module)
      : convention === 'erc7579'
        ? validator << 32n
        : convention === 'nexus'
          ? validator
          : convention === 'kernel-v3'
            ? (0x01n << 176n) | (validator << 16n)
            : undefined
  if (typeof key !== 'bigint' || key < 0n || key > maxKey) {
    throw new InvalidParameterError({
      field: 'nonceKey',
      value: typeof convention === 'function' ? key : convention,
      reason: typeof convention === 'function' ? 'the function did not return a 192-bit key' : 'not a known convention',
      fix: "use 'erc7579', 'nexus', 'kernel-v3', or a function that returns the account's 24-byte key for the module",
    })
  }
  return key
}
