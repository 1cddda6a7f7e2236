// Mirrors contracts/session/lib/ArgRuleLib.sol: the argument rules of one selector.
import type { ArgRule } from './dataTypes.js'
import { type Bytes, word } from './executionLib.js'

/** Index of the first rule broken, or -1 when all hold. */
export function firstBroken(rules: readonly ArgRule[], data: Bytes): number {
  for (let i = 0; i < rules.length; i++) if (!holds(rules[i], data)) return i
  return -1
}

function holds(rule: ArgRule, data: Bytes): boolean {
  const start = 4 + rule.word * 32
  if (data.length < start + 32) return false
  const value = word(data, start)
  if (rule.bits < 256 && value >> BigInt(rule.bits) !== 0n) return false
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
  }
}
