import {
  type AbiFunction,
  type AbiParameter,
  encodeAbiParameters,
  type Hex,
  isHex,
  parseAbiItem,
  toFunctionSelector,
} from 'viem'
import { InvalidParameterError } from '../errors/parameter.js'
import type { ArgRule, ArgRuleInput, RuleCondition } from '../policy/dataTypes.js'
import { MAX_ONE_OF_VALUES, MAX_RULES_PER_SELECTOR, ruleConditions } from '../policy/policyFlags.js'

/** The conditions, in the module's numbering (PolicyFlags.sol). */
export { ruleConditions } from '../policy/policyFlags.js'
/** At most this many rules per selector, and this many values for `oneOf` (as on chain). */
export const maxRulesPerSelector = MAX_RULES_PER_SELECTOR
export const maxOneOfValues = MAX_ONE_OF_VALUES

/**
 * Turns an argument rule as written (`method`, `arg`, `condition`, `value`) into the form
 * the module stores, from the function's ABI: the argument's word index and width, and its
 * value encoded to 32 bytes. A rule on a dynamic argument (string, bytes, arrays, dynamic
 * tuples) is refused: its head word is an offset the caller chooses, so the rule could be
 * bypassed.
 *
 * @throws {InvalidParameterError} naming the bad field.
 * @example
 * import { toArgRule } from 'session-keys'
 * const rule = toArgRule({ method: 'transfer(address to, uint256 amount)', arg: 'amount', condition: 'lte', value: 10n ** 6n })
 */
export function toArgRule(input: ArgRuleInput | ArgRule, field = 'rule'): ArgRule {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidParameterError({ field, value: input, reason: 'not a rule object' })
  }
  if ('word' in input && 'selector' in input) return checkStoredRule(input, field)
  const { method, arg, condition, value } = input as ArgRuleInput
  if (!ruleConditions.includes(condition)) {
    throw new InvalidParameterError({
      field: `${field}.condition`,
      value: condition,
      reason: 'unknown condition',
      fix: `use one of ${ruleConditions.join(', ')}`,
    })
  }
  const located = locateArgument(method, arg, field)
  if (located.signed && ['lt', 'lte', 'gt', 'gte'].includes(condition)) {
    throw new InvalidParameterError({
      field: `${field}.condition`,
      value: condition,
      reason: `comparisons are unsigned, and ${located.type} is signed`,
      fix: 'use eq, neq or oneOf on signed arguments',
    })
  }
  if (condition === 'sumLte' && !/^uint\d*$/.test(located.type)) {
    throw new InvalidParameterError({
      field: `${field}.condition`,
      value: condition,
      reason: `a sum adds unsigned integers, and ${located.arg} is ${located.type}`,
      fix: 'put sumLte on a uintN argument (an amount, a count)',
    })
  }
  const raw = condition === 'oneOf' ? value : [value]
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > (condition === 'oneOf' ? maxOneOfValues : 1)) {
    throw new InvalidParameterError({
      field: `${field}.value`,
      value,
      reason: condition === 'oneOf' ? `oneOf takes 1 to ${maxOneOfValues} values` : 'one value expected',
    })
  }
  const values = raw.map((v, i) =>
    encodeWord(located.type, v, `${field}.value${condition === 'oneOf' ? `[${i}]` : ''}`),
  )
  return {
    selector: located.selector,
    word: located.word,
    condition,
    bits: located.bits,
    values,
    method: located.method,
    arg: located.arg,
    type: located.type,
  }
}

/** Where a static argument of a function sits in calldata, and its width and type. */
function locateArgument(method: unknown, arg: unknown, field: string) {
  const fn = parseFunction(method, `${field}.method`)
  const index =
    typeof arg === 'number' ? arg : fn.inputs.findIndex((input) => input.name !== undefined && input.name === arg)
  if (!Number.isInteger(index) || index < 0 || index >= fn.inputs.length) {
    const names = fn.inputs.map((p, i) => p.name || `#${i}`).join(', ')
    throw new InvalidParameterError({
      field: `${field}.arg`,
      value: arg,
      reason: `no such argument of ${fn.name}`,
      fix: `use a name or position among: ${names || '(none)'}`,
    })
  }
  const parameter = fn.inputs[index]
  const kind = staticKind(parameter)
  if (!kind) {
    throw new InvalidParameterError({
      field: `${field}.arg`,
      value: arg,
      reason: `argument ${parameter.name || index} is ${parameter.type}, not a single static value: a rule on it could be bypassed`,
      fix: 'put rules on address, bool, uintN, intN or bytesN arguments only',
    })
  }
  let word = 0
  for (const previous of fn.inputs.slice(0, index)) word += headWords(previous)
  if (word > 255) {
    throw new InvalidParameterError({ field: `${field}.arg`, value: arg, reason: 'the argument is beyond word 255' })
  }
  return {
    selector: toFunctionSelector(fn),
    word,
    bits: kind.bits,
    signed: kind.signed,
    type: parameter.type,
    // As written (names kept), so that `arg` can be found in it again when loaded.
    method: String(method)
      .trim()
      .replace(/^function\s+/, ''),
    arg: parameter.name || String(index),
  }
}

function parseFunction(method: unknown, field: string): AbiFunction {
  if (typeof method !== 'string' || !/\(/.test(method)) {
    throw new InvalidParameterError({
      field,
      value: method,
      reason: 'not a function signature',
      fix: 'give the signature with argument types, e.g. transfer(address to, uint256 amount)',
    })
  }
  try {
    const text = method.trim().startsWith('function') ? method.trim() : `function ${method.trim()}`
    const item = parseAbiItem(text) as AbiFunction
    if (item.type !== 'function') throw new Error('not a function')
    return item
  } catch (cause) {
    throw new InvalidParameterError({
      field,
      value: method,
      reason: 'the function signature does not parse',
      fix: 'check the argument types, e.g. transfer(address to, uint256 amount)',
      cause,
    })
  }
}

/** Width and sign of a single static value type, or undefined for anything else. */
function staticKind(parameter: AbiParameter): { bits: number; signed: boolean } | undefined {
  const { type } = parameter
  if (type === 'address') return { bits: 160, signed: false }
  if (type === 'bool') return { bits: 8, signed: false }
  const uint = type.match(/^uint(\d*)$/)
  if (uint) return { bits: uint[1] ? Number(uint[1]) : 256, signed: false }
  // Signed values and bytesN fill the word (sign extension, left alignment): width 256.
  if (/^int(\d*)$/.test(type)) return { bits: 256, signed: true }
  if (/^bytes([1-9]|[12]\d|3[0-2])$/.test(type)) return { bits: 256, signed: false }
  return undefined
}

/** How many head words an argument takes in the ABI encoding. */
function headWords(parameter: AbiParameter): number {
  if (isDynamic(parameter)) return 1
  const array = parameter.type.match(/^(.*)\[(\d+)\]$/)
  if (array) return Number(array[2]) * headWords({ ...parameter, type: array[1] } as AbiParameter)
  if (parameter.type === 'tuple') {
    const components = (parameter as { components: readonly AbiParameter[] }).components
    return components.reduce((sum, c) => sum + headWords(c), 0)
  }
  return 1
}

function isDynamic(parameter: AbiParameter): boolean {
  const { type } = parameter
  if (type === 'string' || type === 'bytes' || /\[\]$/.test(type)) return true
  const array = type.match(/^(.*)\[(\d+)\]$/)
  if (array) return isDynamic({ ...parameter, type: array[1] } as AbiParameter)
  if (type === 'tuple') {
    return (parameter as { components: readonly AbiParameter[] }).components.some((c) => isDynamic(c))
  }
  return false
}

function encodeWord(type: string, value: unknown, field: string): Hex {
  try {
    const v = /^u?int/.test(type) && (typeof value === 'number' || typeof value === 'string') ? BigInt(value) : value
    return encodeAbiParameters([{ type }], [v])
  } catch (cause) {
    throw new InvalidParameterError({
      field,
      value,
      reason: `not a valid ${type}`,
      fix: `give a ${type} value`,
      cause,
    })
  }
}

function checkStoredRule(rule: ArgRule, field: string): ArgRule {
  const fail = (name: string, reason: string, value: unknown) => {
    throw new InvalidParameterError({ field: `${field}.${name}`, value, reason })
  }
  if (!isHex(rule.selector) || rule.selector.length !== 10) fail('selector', 'not 4 bytes of hex', rule.selector)
  if (!Number.isInteger(rule.word) || rule.word < 0 || rule.word > 255) fail('word', 'not 0..255', rule.word)
  if (!ruleConditions.includes(rule.condition as RuleCondition)) fail('condition', 'unknown condition', rule.condition)
  if (!Number.isInteger(rule.bits) || rule.bits < 8 || rule.bits > 256 || rule.bits % 8 !== 0) {
    fail('bits', 'not 8..256 in steps of 8', rule.bits)
  }
  const max = rule.condition === 'oneOf' ? maxOneOfValues : 1
  if (!Array.isArray(rule.values) || rule.values.length === 0 || rule.values.length > max) {
    fail('values', `needs 1 to ${max} values`, rule.values)
  }
  for (const [i, v] of rule.values.entries()) {
    if (!isHex(v) || v.length !== 66) fail(`values[${i}]`, 'not 32 bytes of hex', v)
    if (rule.bits < 256 && BigInt(v) >> BigInt(rule.bits) !== 0n) fail(`values[${i}]`, 'wider than the rule', v)
  }
  const checked = { ...rule, selector: rule.selector.toLowerCase() as Hex }
  // The display fields are shown to people: they must describe this very word and width.
  if (rule.method !== undefined || rule.arg !== undefined || rule.type !== undefined) {
    const arg = rule.arg !== undefined && /^\d+$/.test(rule.arg) ? Number(rule.arg) : rule.arg
    const rebuilt = locateArgument(rule.method, arg, field)
    if (
      rebuilt.selector !== checked.selector ||
      rebuilt.word !== rule.word ||
      rebuilt.bits !== rule.bits ||
      rebuilt.type !== rule.type
    ) {
      fail('method', 'the method, argument and type it names do not match its selector, word and width', rule.method)
    }
  }
  return checked
}
