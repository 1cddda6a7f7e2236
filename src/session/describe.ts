import {
  type AbiFunction,
  type Address,
  type Client,
  erc20Abi,
  formatEther,
  getAddress,
  parseAbiItem,
  toFunctionSignature,
} from 'viem'
import { readContract } from 'viem/actions'
import { readTokenMetadata, type TokenMetadata } from '../actions/readTokenMetadata.js'
import type { InvalidParameterError } from '../errors/parameter.js'
import type { UntrustedModuleError } from '../errors/session.js'
import type { ArgRule, Permission, Session } from '../policy/dataTypes.js'
import { APPROVE, isTokenSelector, TRANSFER_FROM, tokenFunctionSignatures } from '../policy/tokenCallLib.js'
import { formatAmount, formatTime } from '../utils/format.js'
import { assertSession, getSigningKey } from './encode.js'
import { exposureOf, type SessionExposure } from './exposure.js'
import { periodSeconds } from './permissions.js'
import { assertSessionChain, assertTrustedModule, type ModuleTrustOptions } from './trust.js'

/** The name of a token function ("transfer"), for a selector given without its signature. */
const tokenFunctionName = (selector: string): string | undefined => tokenFunctionSignatures[selector]?.split('(')[0]

/** What {@link describeSession} returns: one line per fact, the warnings apart, and the whole as text. */
export type SessionDescription = {
  title: string
  /** Every fact, warnings (prefixed with ⚠) first. */
  lines: string[]
  /** The risky parts only, for a wallet to highlight. */
  warnings: string[]
  text: string
}

/** Parameters of {@link describeSession}. */
export type DescribeSessionParameters = {
  /** The session to describe (from the dapp: hostile input, checked in full). */
  session: Session
} & ModuleTrustOptions

/** Return type of {@link describeSession}. */
export type DescribeSessionReturnType = SessionDescription

/** Errors of {@link describeSession}. */
export type DescribeSessionErrorType = InvalidParameterError | UntrustedModuleError

type TokenMeta = TokenMetadata

/**
 * Wallet side: the session in plain language, for the owner's approval screen. The session
 * comes from the dapp and is treated as hostile: every field that changes what the owner
 * signs is shown (account, chain, module, key, every permission and limit, the window,
 * paymasters, the gas budget), a module other than the known one is refused (or, with
 * `allowUnknownModule`, shown first as a warning), and risks are listed as warnings: no
 * amount limit on a token function, an unlimited gas budget, value without a total,
 * delegatecall, and allowances the account already gave to a destination (the session's
 * token limit does not bound those). With a client, token names, symbols and decimals are
 * read from chain; with `undefined` instead, nothing is read and amounts stay in base units.
 *
 * @param client A client on the session's chain, or `undefined` to describe offline.
 * @param parameters The session, and `allowUnknownModule` / `account` as for every wallet-side function.
 * @returns The title, every line (warnings first), the warnings alone, and the whole text.
 * @throws {UntrustedModuleError} when the session names another module, without opt-in.
 * @example
 * import { describeSession } from 'session-keys'
 * const { lines, warnings } = await describeSession(client, { session })
 * // "May call transfer(address,uint256) on Test USD (0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9) — at most 1,000 TUSD in total"
 */
export async function describeSession(
  client: Client | undefined,
  parameters: DescribeSessionParameters,
): Promise<DescribeSessionReturnType> {
  const session = assertSession(parameters?.session)
  const knownModule = assertTrustedModule(session, parameters)
  if (client) await assertSessionChain(client, session)
  const listed = session.permissions.filter((p) => !p.anyDestination).map((p) => p.target)
  const meta = client ? await readTokenMetadata(client, { addresses: listed }) : {}
  const native = client?.chain?.nativeCurrency.symbol ?? 'ETH'
  const warnings: string[] = []
  if (!knownModule) {
    warnings.push(
      `⚠ Uses the module ${session.module}, not the session-keys validator: it decides alone what the key may do`,
    )
  }
  const nfts = client ? await readCollections(client, session) : new Set<string>()
  const facts = session.permissions.flatMap((p) =>
    describePermission(p, meta[getAddress(p.target)] ?? {}, warnings, nfts.has(getAddress(p.target))),
  )
  facts.push(describeWindow(session.validAfter, session.validUntil))
  if (!session.enabled) facts.push('Created disabled: unusable until the owner enables it')
  facts.push(
    session.paymasters.length === 0
      ? 'Pays its own gas (no paymaster)'
      : `May use ${session.paymasters.length === 1 ? 'the paymaster' : 'the paymasters'} ${session.paymasters.join(', ')} (their gas counts against the gas budget)`,
  )
  if (session.gasBudget === 'unlimited') {
    warnings.push(`⚠ No gas budget: the key may spend the account's ${native} on gas without limit`)
  } else {
    facts.push(`Gas: at most ${formatEther(session.gasBudget)} ${native} in total`)
  }
  facts.push(describeExposure(exposureOf(session, knownModule), meta, native, nfts, session))
  if (client) warnings.push(...(await describeAllowances(client, session, meta)))
  const key = session.rotatedKey ? `${session.rotatedKey} (rotated from ${session.sessionKey})` : session.sessionKey
  facts.push(`Session key ${key}, module ${session.module}${knownModule ? ' (session-keys)' : ''}`)
  const title = `Session key ${getSigningKey(session)} for account ${session.account} on chain ${session.chainId}`
  const lines = [...warnings, ...facts]
  return { title, lines, warnings, text: [title, ...lines.map((l) => `• ${l}`)].join('\n') }
}

/** An amount in the token's units, with its symbol, when its decimals are known. */
function unitsOf(n: bigint, meta: TokenMeta): string | undefined {
  return meta.decimals === undefined
    ? undefined
    : `${formatAmount(n, meta.decimals)} ${clean(meta.symbol ?? '')}`.trim()
}

/** The worst case over the session's life, in one line (each unbounded part says why). */
function describeExposure(
  exposure: SessionExposure,
  meta: Record<string, TokenMeta>,
  native: string,
  nfts: ReadonlySet<string>,
  session: Session,
): string {
  const amount = (token: Address, max: bigint) =>
    unitsOf(max, meta[getAddress(token)] ?? {}) ?? `${max} (base units) of ${token}`
  // An ERC-721's token functions move one NFT a call: its use limit bounds them, not tokenAmount.
  const nftsOf = (token: Address) => {
    const uses = session.permissions.find((p) => p.target === token && !p.anyDestination)?.maxUses
    return uses === undefined ? `any number of NFTs of ${token} (no maxUses)` : `${uses} NFTs of ${token}`
  }
  const parts = [
    ...exposure.tokens.map((t) =>
      t.anyDestination
        ? `any number of tokens (${t.reason})`
        : nfts.has(getAddress(t.token))
          ? nftsOf(t.token)
          : t.max === 'unbounded'
            ? `any amount of ${t.token} (${t.reason})`
            : amount(t.token, t.max),
    ),
    exposure.value.max === 'unbounded'
      ? `any amount of ${native} (${exposure.value.reason})`
      : `${formatEther(exposure.value.max)} ${native} sent with calls`,
    exposure.gas.max === 'unbounded'
      ? `gas without limit (${exposure.gas.reason})`
      : `${formatEther(exposure.gas.max)} ${native} of gas`,
  ]
  const others =
    exposure.otherMethods.length > 0
      ? `; plus what ${exposure.otherMethods.flatMap((o) => o.methods.map((m) => (o.anyDestination ? `${m} on any contract` : m))).join(', ')} can do (bounded only by rules and uses)`
      : ''
  return `Worst case over its whole life: ${parts.join(', ')}${others}`
}

/**
 * Allowances the account already gave to a destination or a paymaster of the session, on a
 * token the session limits: that spender can move them whatever the session's limit says.
 */
async function describeAllowances(
  client: Client,
  session: Session,
  meta: Record<string, TokenMeta>,
): Promise<string[]> {
  const named = session.permissions.filter((p) => !p.anyDestination)
  const tokens = named
    .filter((p) => p.tokenLimit !== undefined || p.recurring?.tokenLimit !== undefined)
    .map((p) => p.target)
  // Destinations, and paymasters: a token paymaster takes its fee through an allowance.
  const spenders = [...named.map((p) => p.target), ...session.paymasters]
  const pairs = tokens.flatMap((token) => spenders.filter((s) => s !== token).map((spender) => ({ token, spender })))
  const found = await Promise.all(
    pairs.map(async ({ token, spender }) => {
      const allowance = await readContract(client, {
        address: token,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [session.account, spender],
      }).catch(() => 0n)
      if (allowance === 0n) return undefined
      const amount = unitsOf(allowance, meta[getAddress(token)] ?? {}) ?? `${allowance} (base units)`
      return `⚠ ${spender} can already move ${amount} of ${token} from the account (an earlier approval): the session's limit on that token does not bound it`
    }),
  )
  return found.filter((line): line is string => line !== undefined)
}

/** ERC-721 functions that move or approve NFTs beyond transferFrom/approve (which ERC-20 shares). */
const nftSelectors = {
  safeTransferFrom: '0x42842e0e',
  safeTransferFromWithData: '0xb88d4fde',
  setApprovalForAll: '0xa22cb465',
} as const
const erc721InterfaceId = '0x80ac58cd'

/**
 * The destinations that say (ERC-165) they are ERC-721 collections, among those whose
 * permission lists a function that moves or approves tokens.
 */
async function readCollections(client: Client, session: Session): Promise<Set<string>> {
  const moving: string[] = [...Object.values(nftSelectors), TRANSFER_FROM, APPROVE]
  const candidates = session.permissions.filter((p) => !p.anyDestination && p.selectors.some((s) => moving.includes(s)))
  const found = await Promise.all(
    candidates.map((p) =>
      readContract(client, {
        address: p.target,
        abi: erc165Abi,
        functionName: 'supportsInterface',
        args: [erc721InterfaceId],
      }).catch(() => false),
    ),
  )
  return new Set(candidates.filter((_, i) => found[i] === true).map((p) => getAddress(p.target)))
}

const erc165Abi = [
  {
    type: 'function',
    name: 'supportsInterface',
    stateMutability: 'view',
    inputs: [{ name: 'interfaceId', type: 'bytes4' }],
    outputs: [{ type: 'bool' }],
  },
] as const

function describePermission(p: Permission, meta: TokenMeta, warnings: string[], nft = false): string[] {
  const label = p.anyDestination
    ? 'any contract no other permission names'
    : meta.name
      ? `${clean(meta.name)} (${p.target})`
      : p.target
  // Signatures in canonical form: argument names are the dapp's words, not the chain's.
  const methods = p.selectors.map((s, i) => canonical(p.methods?.[i]) ?? tokenFunctionSignatures[s] ?? s)
  const what = methods.length > 0 ? methods.join(', ') : 'no function'
  const first = [
    methods.length === 0 && p.allowEmptyCalldata
      ? `May send plain ETH transfers to ${label}`
      : `May call ${what} on ${label}`,
  ]
  const amount = (n: bigint) => unitsOf(n, meta) ?? `${n} (base units)`
  if (p.anyDestination) {
    warnings.push(
      `⚠ May call ${what} on any contract no other permission names (any token, any other module of the account), bounded only by its argument rules${p.tokenLimit === undefined ? '' : ` and ${perToken(p.tokenLimit)}`}`,
    )
  }
  if (p.selectors.includes(nftSelectors.setApprovalForAll)) {
    warnings.push(
      `⚠ May call setApprovalForAll on ${label}: an approved operator can take every NFT the account holds there${p.rules?.some((r) => r.selector === nftSelectors.setApprovalForAll) ? ' (the operator is bound by a rule below)' : ', and no rule binds which operator'}`,
    )
  }
  if (nft) {
    if (p.tokenLimit !== undefined) {
      warnings.push(
        `⚠ ${label} is an ERC-721 collection: tokenAmount counts token ids there, not NFTs, so it does not bound how many NFTs move (use maxUses)`,
      )
    }
    if (p.maxUses === undefined) {
      warnings.push(`⚠ No limit on how many NFTs of ${label} the key may move or approve (no maxUses)`)
    }
    first.push('an ERC-721 collection: each transferFrom, safeTransferFrom or approve moves or approves one NFT')
  } else if (p.tokenLimit !== undefined) {
    first.push(`at most ${amount(p.tokenLimit)} ${p.anyDestination ? 'of each token' : 'in total'}`)
  } else if (p.selectors.some(isTokenSelector) && p.recurring?.tokenLimit === undefined) {
    warnings.push(
      `⚠ No limit on the amount of ${label} that ${methods.filter((_, i) => isTokenSelector(p.selectors[i])).join(', ')} may move`,
    )
  }
  if (p.maxUses !== undefined) first.push(`at most ${p.maxUses} call${p.maxUses === 1n ? '' : 's'}`)
  const lines = [first.join(' — ')]
  if (p.allowEmptyCalldata && methods.length > 0) lines.push(`  May also send plain ETH transfers to ${label}`)
  if (p.valueLimit) {
    const per = p.valueLimit.perCall === undefined ? 'any amount' : `${formatEther(p.valueLimit.perCall)} ETH`
    const total =
      p.valueLimit.total === undefined ? 'no total limit' : `${formatEther(p.valueLimit.total)} ETH in total`
    lines.push(`  May send ETH with these calls: up to ${per} per call, ${total}`)
    if (p.valueLimit.total === undefined && p.recurring?.valueLimit === undefined)
      warnings.push(`⚠ No total limit on the ETH the key may send to ${label}`)
  }
  if (p.recurring) {
    const { period, start, tokenLimit, valueLimit, maxUses } = p.recurring
    const per = `per ${periodName(period)}`
    const limits = [
      tokenLimit === undefined ? undefined : `at most ${amount(tokenLimit)} ${per}`,
      valueLimit === undefined ? undefined : `at most ${formatEther(valueLimit)} ETH sent ${per}`,
      maxUses === undefined ? undefined : `at most ${maxUses} call${maxUses === 1n ? '' : 's'} ${per}`,
    ].filter((l) => l !== undefined)
    lines.push(`  Renews every ${periodName(period)}, counted from ${formatTime(start)}: ${limits.join(', ')}`)
  }
  for (const rule of p.rules ?? []) lines.push(`  Only if ${describeRule(rule, meta)}`)
  if (p.allowTryMode) lines.push('  Calls may run in try-mode (a failing call does not stop the others)')
  if (p.allowDelegatecall) warnings.push(`⚠ May delegatecall ${label}: its code runs as the account itself`)
  return lines
}

/** A limit that counts per token in base units: what it means for tokens of common decimals. */
function perToken(limit: bigint): string {
  return `${limit} base units of each token (${formatAmount(limit, 18)} of an 18-decimal token, ${formatAmount(limit, 6)} of a 6-decimal one)`
}

/** "day", "week", "hour", or "90 s". */
function periodName(seconds: number): string {
  const name = Object.entries(periodSeconds).find(([, s]) => s === seconds)?.[0]
  return name ?? `${seconds} s`
}

const symbols: Record<ArgRule['condition'], string> = {
  eq: '=',
  neq: '≠',
  lt: '<',
  lte: '≤',
  gt: '>',
  gte: '≥',
  oneOf: 'is one of',
  sumLte: '≤',
}

function describeRule(rule: ArgRule, meta: TokenMeta): string {
  const method = canonical(rule.method) ?? tokenFunctionSignatures[rule.selector] ?? rule.selector
  const name = rule.arg ?? `argument ${rule.word}`
  const show = (value: `0x${string}`) => {
    if (rule.type === 'address') return getAddress(`0x${value.slice(26)}`)
    if (rule.type === 'bool') return BigInt(value) === 1n ? 'true' : 'false'
    const n = BigInt(value)
    const inUnits = rule.type?.startsWith('uint') && tokenFunctionName(rule.selector) ? unitsOf(n, meta) : undefined
    if (inUnits) return inUnits
    return rule.type?.startsWith('uint') || rule.type?.startsWith('int') ? n.toString() : value
  }
  const subject = rule.condition === 'sumLte' ? `the sum of ${name} over all its calls` : name
  return `${method}: ${subject} ${symbols[rule.condition]} ${rule.values.map(show).join(', ')}`
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

/** A method as written, in canonical form (`transfer(address,uint256)`), when it parses. */
function canonical(method: string | undefined): string | undefined {
  if (method === undefined || method.startsWith('0x')) return undefined
  try {
    const item = parseAbiItem(`function ${method.replace(/^function\s+/, '')}`) as AbiFunction
    return toFunctionSignature(item)
  } catch {
    return undefined
  }
}

/** Text read from a token contract, made safe to show: no control characters, bounded. */
function clean(text: string): string {
  const printable = text.replace(/[\p{Cc}\p{Cf}]/gu, '').trim()
  return printable.length > 32 ? `${printable.slice(0, 31)}…` : printable
}
