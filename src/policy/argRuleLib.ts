// Mirrors contracts/session/lib/ArgRuleLib.sol: the argument rules of one selector.
import type { ArgRule } from './dataTypes.js'
import { type Bytes, word } from './executionLib.js'

/**
 * Index of the first rule broken, or -1 when all hold. A `sumLte` rule that holds adds the
 * argument to its running total, `totals[i]` (what the module counted, updated in place).
 */
export function firstBroken(rules: readonly ArgRule[], data: Bytes, totals: bigint[] = []): number {
  for (let i = 0; i < rules.length; i++) {
    const value = argument(rules[i], data)
    if (value === undefined) return i
    if (rules[i].condition === 'sumLte') {
      const total = totals[i] ?? 0n
      if (value > BigInt(rules[i].values[0]) - total) return i
      totals[i] = total + value
    } else if (!holds(rules[i], value)) return i
  }
  return -1
}

/** The static argument a rule reads, or undefined when the calldata ends before it or it is wider. */
export function argument(rule: ArgRule, data: Bytes): bigint | undefined {
  const start = 4 + rule.word * 32
  if (data.length < start + 32) return undefined
  const value = word(data, start)
  if (rule.bits < 256 && value >> BigInt(rule.bits) !== 0n) return undefined
  return value
}

function holds(rule: ArgRule, value: bigint): boolean {
  const values = rule.values.map((v) => BigInt(v))
  switch (rule.condition) {
    case 'oneOf':
      return values.includes(value)
    case 'eq':
      return value === values[0]
    case 'neq':
      return value !== values[0]
    case 'lt':
      return value < values[0]
    case 'lte':
      return value <= values[0]
    case 'gt':
      return value > values[0]
    case 'gte':
      return value >= values[0]
    case 'sumLte':
      return false // counted by firstBroken
  }
}
