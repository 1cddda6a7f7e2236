// Formatting shared by errors, descriptions and the demo: amounts, times, hashes.
import type { Hex } from 'viem'

/** An amount in a token's units, with thousands separators: 1200000000 (6 decimals) → "1,200". */
export function formatAmount(amount: bigint, decimals: number): string {
  const negative = amount < 0n
  const abs = negative ? -amount : amount
  const base = 10n ** BigInt(decimals)
  const whole = (abs / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const fraction = (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`
}

/** A timestamp as ISO 8601 in UTC, with the seconds beside it: "2026-11-25T15:00:00Z (1795791600)". */
export function formatTime(seconds: number | bigint): string {
  return `${new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z')} (${seconds})`
}

/** A hash shortened for messages: "0x12345678…abcd". */
export function short(hex: Hex): string {
  return `${hex.slice(0, 10)}…${hex.slice(-4)}`
}
