import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Address, pad } from 'viem'
import { InvalidParameterError, toArgRule, toPermission } from '../../src/index.js'

const token = '0x2222222222222222222222222222222222222222' as Address
const fails = (fn: () => unknown, field: string, reason?: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidParameterError, String(e))
    assert.equal(e.field, field)
    if (reason) assert.match(e.message, reason)
    return true
  })

describe('toArgRule', () => {
  it('computes the word index from the static sizes of the arguments before it', () => {
    const rule = toArgRule({
      method: 'swap((address a, uint256 b) pair, uint256[2] amounts, string memo, address to)',
      arg: 'to',
      condition: 'eq',
      value: token,
    })
    // tuple (2 words) + uint256[2] (2 words) + string (1 offset word) = word 5
    assert.equal(rule.word, 5)
    assert.equal(rule.bits, 160)
    assert.deepEqual(rule.values, [pad(token.toLowerCase() as `0x${string}`)])
    assert.equal(rule.selector.length, 10)
  })

  it('sets the width from the type: uint8 → 8, bool → 8, address → 160, bytes32 and int → 256', () => {
    assert.equal(toArgRule({ method: 'f(uint8 x)', arg: 'x', condition: 'lt', value: 3 }).bits, 8)
    assert.equal(toArgRule({ method: 'f(bool x)', arg: 0, condition: 'eq', value: true }).bits, 8)
    assert.equal(toArgRule({ method: 'f(bytes32 x)', arg: 0, condition: 'eq', value: pad('0x01') }).bits, 256)
    assert.equal(toArgRule({ method: 'f(int64 x)', arg: 0, condition: 'eq', value: -1n }).bits, 256)
  })

  it('attack 3: refuses a rule on a dynamic argument (bytes, string, arrays, dynamic tuples)', () => {
    for (const method of [
      'f(bytes x)',
      'f(string x)',
      'f(uint256[] x)',
      'f((uint256 a, bytes b) x)',
      'f(uint256[2] x)',
    ]) {
      fails(() => toArgRule({ method, arg: 'x', condition: 'eq', value: 1n }), 'rule.arg', /could be bypassed/)
    }
  })

  it('refuses unsigned comparisons on signed arguments', () => {
    fails(() => toArgRule({ method: 'f(int256 x)', arg: 'x', condition: 'gt', value: 1n }), 'rule.condition')
  })

  it('refuses an unknown argument, condition, or a value of the wrong type or count', () => {
    fails(
      () => toArgRule({ method: 'transfer(address to, uint256 amount)', arg: 'from', condition: 'eq', value: token }),
      'rule.arg',
    )
    fails(() => toArgRule({ method: 'transfer(address,uint256)', arg: 2, condition: 'eq', value: 1n }), 'rule.arg')
    fails(
      () => toArgRule({ method: 'transfer(address,uint256)', arg: 0, condition: 'like' as 'eq', value: token }),
      'rule.condition',
    )
    fails(() => toArgRule({ method: 'transfer(address,uint256)', arg: 0, condition: 'eq', value: 'bob' }), 'rule.value')
    fails(() => toArgRule({ method: 'f(uint8 x)', arg: 0, condition: 'eq', value: 256 }), 'rule.value')
    fails(() => toArgRule({ method: 'f(uint8 x)', arg: 0, condition: 'oneOf', value: [1, 2, 3, 4, 5] }), 'rule.value')
    fails(() => toArgRule({ method: 'f(uint8 x)', arg: 0, condition: 'oneOf', value: 1 }), 'rule.value')
    fails(() => toArgRule({ method: '0xa9059cbb', arg: 0, condition: 'eq', value: 1 }), 'rule.method')
  })
})

describe('toPermission with the policy fields', () => {
  it('normalises value limits, uses, flags and rules', () => {
    const p = toPermission({
      whitelistDestination: token,
      whitelistMethods: ['transfer(address,uint256)'],
      valueLimit: { perCall: '5', total: 10n },
      maxUses: 3,
      allowTryMode: true,
      rules: [{ method: 'transfer(address,uint256)', arg: 1, condition: 'lte', value: 7n }],
    })
    assert.deepEqual(p.valueLimit, { perCall: 5n, total: 10n })
    assert.equal(p.maxUses, 3n)
    assert.equal(p.allowTryMode, true)
    assert.equal(p.rules?.[0].word, 1)
  })

  it('refuses a rule on a method the permission does not list, and bad flags or limits', () => {
    fails(
      () =>
        toPermission({
          whitelistDestination: token,
          whitelistMethods: ['transfer(address,uint256)'],
          rules: [{ method: 'approve(address,uint256)', arg: 1, condition: 'lte', value: 7n }],
        }),
      'permission.rules[0].method',
    )
    fails(
      () =>
        toPermission({
          whitelistDestination: token,
          whitelistMethods: ['0x12345678'],
          allowDelegatecall: 'yes' as never,
        }),
      'permission.allowDelegatecall',
    )
    fails(
      () => toPermission({ whitelistDestination: token, whitelistMethods: ['0x12345678'], maxUses: -1 }),
      'permission.maxUses',
    )
    fails(
      () =>
        toPermission({ whitelistDestination: token, whitelistMethods: ['0x12345678'], valueLimit: { total: 'lots' } }),
      'permission.valueLimit.total',
    )
  })

  it('allows no method when plain transfers (empty calldata) are allowed', () => {
    const p = toPermission({
      whitelistDestination: token,
      whitelistMethods: [],
      allowEmptyCalldata: true,
      valueLimit: {},
    })
    assert.deepEqual(p.selectors, [])
  })
})
