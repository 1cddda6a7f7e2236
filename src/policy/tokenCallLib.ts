// Mirrors contracts/session/lib/TokenCallLib.sol: the ERC-20 functions whose amounts count.
import { type Bytes, word } from './executionLib.js'

export const TRANSFER = '0xa9059cbb'
export const APPROVE = '0x095ea7b3'
export const TRANSFER_FROM = '0x23b872dd'
export const INCREASE_ALLOWANCE = '0x39509351'

/** The signature of each token function, by selector (for messages and descriptions). */
export const tokenFunctionSignatures: Readonly<Record<string, string>> = {
  [TRANSFER]: 'transfer(address,uint256)',
  [APPROVE]: 'approve(address,uint256)',
  [TRANSFER_FROM]: 'transferFrom(address,address,uint256)',
  [INCREASE_ALLOWANCE]: 'increaseAllowance(address,uint256)',
}

export function isTokenSelector(selector: string): boolean {
  return selector in tokenFunctionSignatures
}

/** The amount a token call moves, from its exact ABI shape; undefined when the shape is wrong. */
export function amountOf(selector: string, data: Bytes): bigint | undefined {
  if (selector === TRANSFER_FROM) {
    if (data.length !== 100) return undefined
    if (word(data, 4) >> 160n !== 0n || word(data, 36) >> 160n !== 0n) return undefined
    return word(data, 68)
  }
  if (data.length !== 68 || word(data, 4) >> 160n !== 0n) return undefined
  return word(data, 36)
}
