// Mirrors contracts/session/lib/TokenCallLib.sol: the ERC-20 functions whose amounts count.
import { TRANSFER_FROM, tokenFunctionSignatures } from '../constants/tokenFunctions.js'
import { type Bytes, word } from './executionLib.js'

export {
  APPROVE,
  INCREASE_ALLOWANCE,
  TRANSFER,
  TRANSFER_FROM,
  tokenFunctionSignatures,
} from '../constants/tokenFunctions.js'

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
