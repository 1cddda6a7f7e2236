import { type Address, type Client, formatEther, getAddress } from 'viem'
import { readTokenMetadata, type TokenMetadata } from '../actions/readTokenMetadata.js'
import { formatAmount } from '../errors/session.js'
import { tokenFunctionSignatures } from '../policy/tokenCallLib.js'
import { assertSession } from './encode.js'
import type { ArgRule, Permission, Session } from './types.js'

/** The name of a token function ("transfer"), for a selector given without its signature. */
const tokenFunctionName = (selector: string): string | undefined => tokenFunctionSignatures[selector]?.split('(')[0]

/** What {@link describeSession} returns: one line per fact, and the whole as text. */
export type SessionDescription = { title: string; lines: string[]; text: string }

type TokenMeta = TokenMetadata

/**
 * The session in plain language, for a wallet's approval screen: what may be called, the
 * limits in the token's units, the window in UTC. With a client, token names, symbols and
 * decimals are read from chain; without, amounts stay in base units.
 *
 * @example
 * import { describeSession } from 'session-keys'
 * const { lines } = await describeSession(session, { client })
 * // "May call transfer on Test USD (0xCf7E…0Fc9) — at most 1,000 TUSD in total"
 */
export async function describeSession(
  input: Session,
  options: { client?: Client | undefined } = {},
): Promise<SessionDescription> {
  const session = assertSession(input)
  const meta = options.client
    ? await readTokenMetadata(
        options.client,
        session.permissions.map((p) => p.target),
      )
    : {}
  const lines = session.permissions.flatMap((p) => describePermission(p, meta[getAddress(p.target)] ?? {}))
  lines.push(describeWindow(session.validAfter, session.validUntil))
  if (!session.enabled) lines.push('Created disabled: unusable until the owner enables it')
  lines.push(
    session.paymasters.length === 0
      ? 'Pays its own gas (no paymaster)'
      : `May use ${session.paymasters.length === 1 ? 'the paymaster' : 'the paymasters'} ${session.paymasters.map(short).join(', ')}`,
  )
  if (session.gasBudget !== undefined) lines.push(`Gas: at most ${formatEther(session.gasBudget)} ETH in total`)
  const title = `Session key ${short(session.sessionKey)} for account ${short(session.account)}`
  return { title, lines, text: [title, ...lines.map((l) => `• ${l}`)].join('\n') }
}

function describePermission(p: Permission, meta: TokenMeta): string[] {
  const label = meta.name ? `${meta.name} (${short(p.target)})` : short(p.target)
  const methods = p.selectors.map((s) => p.methods?.[p.selectors.indexOf(s)] ?? tokenFunctionName(s) ?? s)
  const what = methods.length > 0 ? methods.join(', ') : 'no function'
  const first = [
    methods.length === 0 && p.allowEmptyCalldata
      ? `May send plain ETH transfers to ${label}`
      : `May call ${what} on ${label}`,
  ]
  const amount = (n: bigint) =>
    meta.decimals !== undefined ? `${formatAmount(n, meta.decimals)} ${meta.symbol ?? ''}`.trim() : `${n} (base units)`
  if (p.tokenLimit !== undefined) first.push(`at most ${amount(p.tokenLimit)} in total`)
  if (p.maxUses !== undefined) first.push(`at most ${p.maxUses} call${p.maxUses === 1n ? '' : 's'}`)
  const lines = [first.join(' — ')]
  if (p.allowEmptyCalldata && methods.length > 0) lines.push(`  May also send plain ETH transfers to ${label}`)
  if (p.valueLimit) {
    const per = p.valueLimit.perCall === undefined ? 'any amount' : `${formatEther(p.valueLimit.perCall)} ETH`
    const total =
      p.valueLimit.total === undefined ? 'no total limit' : `${formatEther(p.valueLimit.total)} ETH in total`
    lines.push(`  May send ETH with these calls: up to ${per} per call, ${total}`)
  }
  for (const rule of p.rules ?? []) lines.push(`  Only if ${describeRule(rule, meta)}`)
  if (p.allowTryMode) lines.push('  Calls may run in try-mode (a failing call does not stop the others)')
  if (p.allowDelegatecall) lines.push(`  ⚠ May delegatecall ${label}: its code runs as the account itself`)
  return lines
}

const symbols: Record<ArgRule['condition'], string> = {
  eq: '=',
  neq: '≠',
  lt: '<',
  lte: '≤',
  gt: '>',
  gte: '≥',
  oneOf: 'is one of',
}

function describeRule(rule: ArgRule, meta: TokenMeta): string {
  const method = rule.method ?? tokenFunctionName(rule.selector) ?? rule.selector
  const name = rule.arg ?? `argument ${rule.word}`
  const show = (value: `0x${string}`) => {
    if (rule.type === 'address') return short(getAddress(`0x${value.slice(26)}`))
    if (rule.type === 'bool') return BigInt(value) === 1n ? 'true' : 'false'
    const n = BigInt(value)
    if (rule.type?.startsWith('uint') && tokenFunctionName(rule.selector) && meta.decimals !== undefined) {
      return `${formatAmount(n, meta.decimals)} ${meta.symbol ?? ''}`.trim()
    }
    return rule.type?.startsWith('uint') || rule.type?.startsWith('int') ? n.toString() : value
  }
  return `${method}: ${name} ${symbols[rule.condition]} ${rule.values.map(show).join(', ')}`
}

/** "from 12:00 to 13:00 UTC on 24 Nov 2026", or with both dates when they differ. */
export function describeWindow(validAfter: number, validUntil: number): string {
  const day = (d: Date) =>
    `${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })} ${d.getUTCFullYear()}`
  const time = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
  const end = new Date(validUntil * 1000)
  if (validAfter === 0) return `Valid from when it is granted until ${time(end)} UTC on ${day(end)}`
  const start = new Date(validAfter * 1000)
  return day(start) === day(end)
    ? `Valid from ${time(start)} to ${time(end)} UTC on ${day(end)}`
    : `Valid from ${time(start)} UTC on ${day(start)} to ${time(end)} UTC on ${day(end)}`
}

function short(address: Address): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`
}
