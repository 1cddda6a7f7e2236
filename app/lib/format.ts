// How the app shows addresses, amounts and times to a person.
import { formatAmount } from 'session-keys'

/** 0x1234…abcd */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address
}

/** "30 TUSD", "12.5 TUSD" */
export function formatTokens(amount: bigint, token: { decimals: number; symbol: string }): string {
  return `${formatAmount(amount, token.decimals)} ${token.symbol}`
}

/** A timestamp in the user's time zone: "5 Dec 2026, 14:03:10 CET". */
export function formatLocalTime(seconds: number, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'long',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(seconds * 1000))
}

/** A span in words: "59 min", "2 h 5 min", "40 s"; "over" once it is not positive. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return 'over'
  if (seconds < 60) return `${Math.floor(seconds)} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`
  return `${Math.floor(hours / 24)} days`
}

/** Wei as ETH, short: "0.0123 ETH". */
export function formatEth(wei: bigint): string {
  const text = formatAmount(wei, 18)
  const [whole, fraction = ''] = text.split('.')
  return `${whole}${fraction ? `.${fraction.slice(0, 6).replace(/0+$/, '') || '0'}` : ''} ETH`
}
