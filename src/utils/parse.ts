import { type Address, getAddress, type Hex, isAddress, isHex, maxUint256 } from 'viem'
import { InvalidParameterError } from '../errors/parameter.js'

/** The largest token limit the module stores (120 bits). */
export const maxTokenLimit = 2n ** 120n - 1n
/** The largest gas budget the module stores (104 bits of wei). */
export const maxGasBudget = 2n ** 104n - 1n
/**
 * The gas budget a session gets when none is given: 0.05 of the chain's native currency
 * (5 × 10^16 wei), in total over the session's life, at each operation's signed gas limits
 * and max fee. Shown to the owner; `gasBudget: 'unlimited'` is the explicit opt-out.
 */
export const defaultGasBudget = 5n * 10n ** 16n

/** A gas budget in wei, or `'unlimited'` (the explicit opt-in), or a typed error naming `field`. */
export function parseGasBudget(value: unknown, field: string): bigint | 'unlimited' {
  if (value === 'unlimited') return 'unlimited'
  if (value === undefined) {
    throw new InvalidParameterError({
      field,
      reason: 'missing: every session has a bound on what its gas may cost',
      fix: `give the most wei its operations may cost in total (defineSession uses ${defaultGasBudget} by default), or 'unlimited' to opt out explicitly`,
    })
  }
  return parseAmount(value, field, maxGasBudget)
}

/** `type(uint256).max` on chain: no token limit. */
export const noTokenLimit = maxUint256
/** The window fields are uint48 on chain. */
const maxUint48 = 2 ** 48 - 1

/** A checksummed address, or a typed error naming `field`. */
export function parseAddress(value: unknown, field: string): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) {
    throw new InvalidParameterError({
      field,
      value,
      reason: 'not an address',
      fix: 'give a 0x-prefixed, 20-byte hex address',
    })
  }
  if (!isAddress(value as string, { strict: true })) {
    throw new InvalidParameterError({
      field,
      value,
      reason: 'the address checksum is wrong (mixed case that does not match EIP-55)',
      fix: 'copy the address again, or give it in lower case',
    })
  }
  return getAddress(value as string)
}

/** A non-negative integer amount in base units, or a typed error naming `field`. */
export function parseAmount(value: unknown, field: string, max = maxTokenLimit): bigint {
  let amount: bigint | undefined
  if (typeof value === 'bigint') amount = value
  else if (typeof value === 'number' && Number.isSafeInteger(value)) amount = BigInt(value)
  else if (typeof value === 'string' && /^\d+$/.test(value.trim())) amount = BigInt(value.trim())
  if (amount === undefined) {
    throw new InvalidParameterError({
      field,
      value,
      reason: 'not a whole number',
      fix: 'give the amount in base units as a bigint (e.g. parseUnits("1000", 6)), a safe integer, or a string of digits',
    })
  }
  if (amount < 0n) {
    throw new InvalidParameterError({ field, value, reason: 'negative', fix: 'give an amount of 0 or more' })
  }
  if (amount > max) {
    throw new InvalidParameterError({ field, value, reason: `larger than ${max}`, fix: 'give a smaller amount' })
  }
  return amount
}

/** Seconds since the epoch from a number, bigint or Date, or a typed error naming `field`. */
export function parseTimestamp(value: unknown, field: string): number {
  let seconds: number | undefined
  if (value instanceof Date) seconds = Number.isNaN(value.getTime()) ? undefined : Math.floor(value.getTime() / 1000)
  else if (typeof value === 'bigint' && value >= 0n && value <= BigInt(maxUint48)) seconds = Number(value)
  else if (typeof value === 'number' && Number.isSafeInteger(value)) seconds = value
  if (seconds === undefined || seconds < 0 || seconds > maxUint48) {
    throw new InvalidParameterError({
      field,
      value,
      reason: 'not a timestamp',
      fix: 'give whole seconds since 1970 (number or bigint, at most 2^48 - 1) or a valid Date',
    })
  }
  if (seconds > 1e11) {
    throw new InvalidParameterError({
      field,
      value,
      reason: 'looks like milliseconds, not seconds',
      fix: 'divide by 1000 (Math.floor(Date.now() / 1000)), or pass a Date',
    })
  }
  return seconds
}

/** A 32-byte hex value, or a typed error naming `field`. */
export function parseBytes32(value: unknown, field: string): Hex {
  if (typeof value !== 'string' || !isHex(value, { strict: true }) || value.length !== 66) {
    throw new InvalidParameterError({
      field,
      value,
      reason: 'not 32 bytes of hex',
      fix: 'give 0x followed by 64 hex digits',
    })
  }
  return value.toLowerCase() as Hex
}

/** Seconds now, from the machine clock. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}
