import {
  type Abi,
  type AbiFunction,
  type Address,
  type ContractFunctionName,
  type Hex,
  parseAbiItem,
  toFunctionSelector,
  toFunctionSignature,
  zeroAddress,
} from 'viem'
import { InvalidParameterError } from '../errors/parameter.js'
import type {
  ArgRule,
  Permission,
  PermissionInput,
  Recurrence,
  SeedPermission,
  ValueLimit,
} from '../policy/dataTypes.js'
import { checkAnyDestination } from '../policy/sessionStoreLib.js'
import { isTokenSelector, tokenFunctionSignatures } from '../policy/tokenCallLib.js'
import { parseAddress, parseAmount, parseTimestamp } from '../utils/parse.js'
import { maxRulesPerSelector, toArgRule } from './rules.js'

/** At most this many selectors per permission (keeps the grant's gas bounded). */
export const maxSelectorsPerPermission = 32

/**
 * A function selector from a selector (`0xa9059cbb`) or a signature
 * (`transfer(address,uint256)` or `function transfer(address to, uint256 amount)`).
 *
 * @example
 * import { parseSelector } from 'session-keys'
 * parseSelector('transfer(address,uint256)', 'method') // '0xa9059cbb'
 */
export function parseSelector(method: unknown, field: string): Hex {
  if (typeof method !== 'string' || method.trim() === '') {
    throw new InvalidParameterError({
      field,
      value: method,
      reason: 'not a method',
      fix: 'give a selector like 0xa9059cbb or a signature like transfer(address,uint256)',
    })
  }
  const text = method.trim()
  if (/^0x[0-9a-fA-F]{8}$/.test(text)) return text.toLowerCase() as Hex
  if (text.startsWith('0x')) {
    throw new InvalidParameterError({
      field,
      value: method,
      reason: 'a selector is exactly 4 bytes (0x and 8 hex digits)',
      fix: 'give a selector like 0xa9059cbb, or the function signature',
    })
  }
  if (!/^(function\s+)?[A-Za-z_$][A-Za-z0-9_$]*\s*\(.*\)/.test(text)) {
    throw new InvalidParameterError({
      field,
      value: method,
      reason: 'not a selector or function signature',
      fix: 'give a signature with its argument types, like transfer(address,uint256); a bare name needs permissionFromAbi',
    })
  }
  const fn = parseSignature(text, field, method)
  return toFunctionSelector(fn)
}

/**
 * Parses a function signature strictly: every type must be a Solidity ABI type, written in
 * canonical form (`uint256`, not `uint`: the selector hashes the canonical text), and a name
 * one or two letters away from a well-known function with the same arguments is refused as
 * a likely typo (a misspelt method would be granted, and shown, as written).
 */
function parseSignature(text: string, field: string, method: unknown): AbiFunction {
  const full = text.startsWith('function') ? text : `function ${text}`
  const params = full.slice(full.indexOf('(') + 1)
  const alias = params.match(/\b(u?int|u?fixed|byte)\b(?![0-9x])/)
  if (alias) {
    const canonical =
      alias[1] === 'byte' ? 'bytes1' : alias[1].endsWith('fixed') ? `${alias[1]}128x18` : `${alias[1]}256`
    throw new InvalidParameterError({
      field,
      value: method,
      reason: `'${alias[1]}' is an alias: the selector is computed from canonical types`,
      fix: `did you mean ${canonical}? Write ${text.replace(new RegExp(`\\b${alias[1]}\\b(?![0-9x])`, 'g'), canonical)}`,
    })
  }
  let fn: AbiFunction
  try {
    const item = parseAbiItem(full) as AbiFunction
    if (item.type !== 'function') throw new Error('not a function')
    fn = item
  } catch (cause) {
    const unknown = params.match(/[A-Za-z_][A-Za-z0-9_]*/g)?.find((t) => !isAbiTypeWord(t))
    throw new InvalidParameterError({
      field,
      value: method,
      reason: unknown ? `'${unknown}' is not a Solidity type` : 'the function signature does not parse',
      fix: `check the argument types${unknown ? ` (did you mean ${closestType(unknown)}?)` : ''}, e.g. transfer(address,uint256)`,
      cause,
    })
  }
  const signature = toFunctionSignature(fn)
  if (!wellKnownFunctions.includes(signature)) {
    const types = signature.slice(signature.indexOf('('))
    const near = wellKnownFunctions.find(
      (known) => known.endsWith(types) && editDistance(known.slice(0, known.indexOf('(')), fn.name) <= 2,
    )
    if (near) {
      throw new InvalidParameterError({
        field,
        value: method,
        reason: `'${fn.name}' looks like a misspelling of ${near}`,
        fix: `did you mean ${near}? If the contract really has ${signature}, give its selector ${toFunctionSelector(fn)} instead`,
      })
    }
  }
  return fn
}

/** Functions a typo is checked against (token standards and common DeFi entry points). */
const wellKnownFunctions: readonly string[] = [
  'transfer(address,uint256)',
  'approve(address,uint256)',
  'transferFrom(address,address,uint256)',
  'increaseAllowance(address,uint256)',
  'decreaseAllowance(address,uint256)',
  'safeTransferFrom(address,address,uint256)',
  'safeTransferFrom(address,address,uint256,bytes)',
  'setApprovalForAll(address,bool)',
  'mint(address,uint256)',
  'burn(uint256)',
  'deposit()',
  'withdraw(uint256)',
  'transferAndCall(address,uint256,bytes)',
  'send(address,uint256,bytes)',
]

const elementaryType =
  /^(address|bool|string|bytes([1-9]|[12][0-9]|3[0-2])?|u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)|function|tuple)$/
const keywords = new Set([
  'function',
  'returns',
  'external',
  'public',
  'view',
  'pure',
  'payable',
  'nonpayable',
  'calldata',
  'memory',
  'storage',
  'indexed',
])

function isAbiTypeWord(word: string): boolean {
  return elementaryType.test(word) || keywords.has(word) || /^[a-z_][A-Za-z0-9_]*$/.test(word) === false
}

function closestType(word: string): string {
  const candidates = ['address', 'bool', 'string', 'bytes', 'bytes32', 'uint256', 'uint8', 'int256']
  return candidates.reduce((best, c) => (editDistance(c, word) < editDistance(best, word) ? c : best))
}

/** Levenshtein distance, for typo hints. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]
}

/**
 * Normalises a permission given in the seed's words (`whitelistDestination`,
 * `whitelistMethods`, `tokenAmount`) or in the SDK's (`target`, `selectors`, `tokenLimit`).
 * Throws {@link InvalidParameterError} naming the bad field.
 *
 * @example
 * import { toPermission } from 'session-keys'
 * const permission = toPermission({
 *   whitelistDestination: token,
 *   whitelistMethods: ['transfer(address,uint256)'],
 *   tokenAmount: 1000n * 10n ** 18n,
 * })
 */
export function toPermission(
  input: PermissionInput,
  field = 'permission',
  defaults: { recurrenceStart?: number | undefined } = {},
): Permission {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidParameterError({
      field,
      value: input,
      reason: 'not a permission object',
      fix: 'give { whitelistDestination, whitelistMethods, tokenAmount? }',
    })
  }
  const seed = 'whitelistDestination' in input || 'whitelistMethods' in input
  const names = seed
    ? { target: 'whitelistDestination', selectors: 'whitelistMethods', limit: 'tokenAmount' }
    : { target: 'target', selectors: 'selectors', limit: 'tokenLimit' }
  const raw = input as Record<string, unknown>
  // Any destination: `whitelistDestination: 'any'`, or the normal form's flag with target 0.
  const anyDestination = seed ? raw[names.target] === 'any' : parseFlag(raw.anyDestination, `${field}.anyDestination`)
  const target = anyDestination && seed ? zeroAddress : parseAddress(raw[names.target], `${field}.${names.target}`)
  const allowEmptyCalldata = parseFlag(raw.allowEmptyCalldata, `${field}.allowEmptyCalldata`)
  const methods = raw[names.selectors] ?? []
  if (!Array.isArray(methods) || (methods.length === 0 && !allowEmptyCalldata)) {
    throw new InvalidParameterError({
      field: `${field}.${names.selectors}`,
      value: methods,
      reason: 'no method listed',
      fix: 'list at least one method the session may call, e.g. ["transfer(address,uint256)"]',
    })
  }
  if (methods.length > maxSelectorsPerPermission) {
    throw new InvalidParameterError({
      field: `${field}.${names.selectors}`,
      reason: `more than ${maxSelectorsPerPermission} methods`,
      fix: 'split the destination across sessions, or grant fewer methods',
    })
  }
  const selectors: Hex[] = []
  const labels: string[] = []
  methods.forEach((method, i) => {
    const selector = parseSelector(method, `${field}.${names.selectors}[${i}]`)
    if (selectors.includes(selector)) return
    selectors.push(selector)
    labels.push(typeof method === 'string' && !method.startsWith('0x') ? method.replace(/^function\s+/, '') : selector)
  })
  // Labels are shown to people: each must name its own selector, or it could lie.
  const given = raw.methods
  if (given !== undefined) {
    if (!Array.isArray(given) || given.length !== selectors.length) {
      throw new InvalidParameterError({
        field: `${field}.methods`,
        reason: 'not one label per selector',
        fix: 'leave methods out; they are derived from the selectors given',
      })
    }
    given.forEach((label, i) => {
      if (parseSelector(label, `${field}.methods[${i}]`) !== selectors[i]) {
        throw new InvalidParameterError({
          field: `${field}.methods[${i}]`,
          value: label,
          reason: `does not name selector ${selectors[i]}`,
        })
      }
    })
  }
  const methodLabels = (given as string[] | undefined) ?? labels
  const limit = raw[names.limit]
  const tokenLimit = limit === undefined ? undefined : parseAmount(limit, `${field}.${names.limit}`)
  const recurring = parseRecurrence(raw.recurring, `${field}.recurring`, defaults.recurrenceStart)
  if (tokenLimit !== undefined || recurring?.tokenLimit !== undefined) {
    // The module counts only the token functions: a limit beside any other method would be
    // shown as "at most N in total" while that method moves tokens uncounted.
    const uncountable = selectors.findIndex((selector) => !isTokenSelector(selector))
    if (uncountable >= 0) {
      throw new InvalidParameterError({
        field: tokenLimit === undefined ? `${field}.recurring.tokenAmount` : `${field}.${names.limit}`,
        value: methodLabelsOf(raw.methods, labels)[uncountable],
        reason: `a token limit counts only ${Object.values(tokenFunctionSignatures).join(', ')}; ${methodLabelsOf(raw.methods, labels)[uncountable]} could move tokens uncounted`,
        fix: 'grant that method in a permission without tokenAmount (shown as unlimited), or leave it out',
      })
    }
  }
  const valueLimit = parseValueLimit(raw.valueLimit, `${field}.valueLimit`)
  const maxUses = raw.maxUses === undefined ? undefined : parseAmount(raw.maxUses, `${field}.maxUses`, 2n ** 64n - 1n)
  const rules = parseRules(raw.rules, selectors, `${field}.rules`)
  const allowDelegatecall = parseFlag(raw.allowDelegatecall, `${field}.allowDelegatecall`)
  const allowTryMode = parseFlag(raw.allowTryMode, `${field}.allowTryMode`)
  const permission: Permission = {
    target,
    ...(anyDestination ? { anyDestination } : {}),
    selectors,
    ...(methodLabels.some((m, i) => m !== selectors[i]) ? { methods: methodLabels } : {}),
    ...(tokenLimit === undefined ? {} : { tokenLimit }),
    ...(valueLimit === undefined ? {} : { valueLimit }),
    ...(maxUses === undefined ? {} : { maxUses }),
    ...(rules.length === 0 ? {} : { rules }),
    ...(recurring === undefined ? {} : { recurring }),
    ...(allowDelegatecall ? { allowDelegatecall } : {}),
    ...(allowTryMode ? { allowTryMode } : {}),
    ...(allowEmptyCalldata ? { allowEmptyCalldata } : {}),
  }
  if (anyDestination) checkAnyDestination(permission, field, names.selectors)
  return permission
}

function methodLabelsOf(given: unknown, labels: readonly string[]): readonly string[] {
  return Array.isArray(given) ? (given as string[]) : labels
}

function parseFlag(value: unknown, field: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw new InvalidParameterError({ field, value, reason: 'not a boolean' })
  return value
}

/** Period names and their length in seconds (a calendar month has no fixed length: give seconds). */
export const periodSeconds = { hour: 3_600, day: 86_400, week: 604_800 } as const

/** The widest per-period call count the module stores (56 bits). */
const maxPeriodUses = 2n ** 56n - 1n

function parseRecurrence(value: unknown, field: string, defaultStart: number | undefined): Recurrence | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) {
    throw new InvalidParameterError({
      field,
      value,
      reason: 'not an object',
      fix: "give { period: 'day', tokenAmount } (or valueLimit, maxUses)",
    })
  }
  const r = value as Record<string, unknown>
  const named = typeof r.period === 'string' ? periodSeconds[r.period as keyof typeof periodSeconds] : undefined
  const period = named ?? r.period
  if (typeof period !== 'number' || !Number.isSafeInteger(period) || period < 1 || period >= 2 ** 32) {
    throw new InvalidParameterError({
      field: `${field}.period`,
      value: r.period,
      reason: 'not a period',
      fix: "give 'hour', 'day', 'week', or a whole number of seconds from 1 to 2^32 - 1",
    })
  }
  if (r.start === undefined && defaultStart === undefined) {
    throw new InvalidParameterError({
      field: `${field}.start`,
      reason: 'missing',
      fix: 'give when the first period starts (seconds), or define the session with defineSession',
    })
  }
  const start = r.start === undefined ? (defaultStart as number) : parseTimestamp(r.start, `${field}.start`)
  if (start === 0) {
    throw new InvalidParameterError({ field: `${field}.start`, value: start, reason: 'must be after 0' })
  }
  if (r.tokenAmount !== undefined && r.tokenLimit !== undefined) {
    throw new InvalidParameterError({
      field: `${field}.tokenLimit`,
      reason: 'both tokenAmount and tokenLimit given',
      fix: 'give one of them',
    })
  }
  const tokenInput = r.tokenAmount ?? r.tokenLimit
  const tokenField = `${field}.${r.tokenAmount === undefined ? 'tokenLimit' : 'tokenAmount'}`
  const tokenLimit = tokenInput === undefined ? undefined : parseAmount(tokenInput, tokenField)
  const valueLimit =
    r.valueLimit === undefined ? undefined : parseAmount(r.valueLimit, `${field}.valueLimit`, 2n ** 128n - 1n)
  const maxUses = r.maxUses === undefined ? undefined : parseAmount(r.maxUses, `${field}.maxUses`, maxPeriodUses)
  if (tokenLimit === undefined && valueLimit === undefined && maxUses === undefined) {
    throw new InvalidParameterError({
      field,
      reason: 'no recurring limit given',
      fix: 'give tokenAmount, valueLimit or maxUses per period',
    })
  }
  return {
    period,
    start,
    ...(tokenLimit === undefined ? {} : { tokenLimit }),
    ...(valueLimit === undefined ? {} : { valueLimit }),
    ...(maxUses === undefined ? {} : { maxUses }),
  }
}

function parseValueLimit(value: unknown, field: string): ValueLimit | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) {
    throw new InvalidParameterError({ field, value, reason: 'not an object', fix: 'give { perCall?, total? } in wei' })
  }
  const { perCall, total } = value as Record<string, unknown>
  const max = 2n ** 128n - 1n
  return {
    ...(perCall === undefined ? {} : { perCall: parseAmount(perCall, `${field}.perCall`, max) }),
    ...(total === undefined ? {} : { total: parseAmount(total, `${field}.total`, max) }),
  }
}

function parseRules(value: unknown, selectors: readonly Hex[], field: string): ArgRule[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new InvalidParameterError({ field, value, reason: 'not an array of rules' })
  const rules = value.map((input, i) => toArgRule(input, `${field}[${i}]`))
  rules.forEach((rule, i) => {
    if (!selectors.includes(rule.selector)) {
      throw new InvalidParameterError({
        field: `${field}[${i}].method`,
        value: rule.method ?? rule.selector,
        reason: 'the rule is on a method the permission does not list',
        fix: 'add the method to the permission, or remove the rule',
      })
    }
    if (rules.filter((r) => r.selector === rule.selector).length > maxRulesPerSelector) {
      throw new InvalidParameterError({
        field,
        reason: `more than ${maxRulesPerSelector} rules on ${rule.method ?? rule.selector}`,
      })
    }
  })
  return rules
}

/** Parameters of {@link permissionFromAbi}. */
export type PermissionFromAbiParameters<abi extends Abi | readonly unknown[]> = {
  /** The contract the session may call. */
  target: Address
  /** The contract's ABI (`as const` for autocompletion of function names). */
  abi: abi
  /** Names of the functions the session may call. All overloads of a name are allowed. */
  functions: readonly (abi extends Abi ? ContractFunctionName<abi, 'nonpayable' | 'payable'> : string)[]
  /** Cumulative token amount in base units (see {@link Permission}). */
  tokenAmount?: bigint | number | string | undefined
}

/**
 * Builds a permission from a contract's ABI and function names, checked against the ABI.
 *
 * @example
 * import { erc20Abi } from 'viem'
 * import { permissionFromAbi } from 'session-keys'
 * const permission = permissionFromAbi({ target: usdc, abi: erc20Abi, functions: ['transfer'], tokenAmount: 10n ** 9n })
 */
export function permissionFromAbi<const abi extends Abi | readonly unknown[]>(
  parameters: PermissionFromAbiParameters<abi>,
): Permission {
  const { target, abi, functions, tokenAmount } = parameters
  if (!Array.isArray(abi)) {
    throw new InvalidParameterError({
      field: 'abi',
      value: abi,
      reason: 'not an ABI array',
      fix: 'pass the contract ABI',
    })
  }
  if (!Array.isArray(functions) || functions.length === 0) {
    throw new InvalidParameterError({
      field: 'functions',
      value: functions,
      reason: 'no function listed',
      fix: 'list at least one function name from the ABI',
    })
  }
  const abiFunctions = (abi as readonly { type?: string; name?: string }[]).filter(
    (item): item is AbiFunction => item?.type === 'function',
  )
  const signatures: string[] = []
  functions.forEach((name, i) => {
    const matches = abiFunctions.filter((f) => f.name === name)
    if (matches.length === 0) {
      const known = [...new Set(abiFunctions.map((f) => f.name))].join(', ')
      throw new InvalidParameterError({
        field: `functions[${i}]`,
        value: name,
        reason: 'no function of that name in the ABI',
        fix: `use one of: ${known || '(the ABI has no functions)'}`,
      })
    }
    for (const f of matches) signatures.push(toFunctionSelector(f))
  })
  const seed: SeedPermission = { whitelistDestination: target, whitelistMethods: signatures, tokenAmount }
  return toPermission(seed, 'permission')
}
