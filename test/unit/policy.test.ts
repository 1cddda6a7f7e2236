/**
 * The pre-flight check (src/policy/) on its own: no chain, every rule on its boundary. The
 * chain-backed twin is test/security/differential.test.ts.
 */

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Address, encodeFunctionData, erc20Abi, maxUint256, parseAbi } from 'viem'
import {
  CallNotPermittedError,
  checkSessionOperation,
  defineSession,
  encodeExecute,
  generateSessionKey,
  maxCostOf,
  type PermissionInput,
  type Session,
  SessionDisabledError,
  SessionExpiredError,
  SessionGrantEpochInvalidError,
  SessionGrantExpiredError,
  SessionNotFoundError,
  SessionNotYetValidError,
  SessionRevokedError,
  type SessionUsage,
  SpendingLimitExceededError,
} from '../../src/index.js'

const now = 1_800_000_000
const account = '0x1111111111111111111111111111111111111111' as Address
const token = '0x2222222222222222222222222222222222222222' as Address
const target = '0x3333333333333333333333333333333333333333' as Address
const paymaster = '0x4444444444444444444444444444444444444444' as Address
const someone = '0x5555555555555555555555555555555555555555' as Address
const targetAbi = parseAbi(['function ping(uint256 number)', 'function mark(address who, uint8 level, bool on)'])

function session(permissions: PermissionInput[], extra: Partial<Parameters<typeof defineSession>[0]> = {}): Session {
  return defineSession({
    account,
    chainId: 1,
    sessionKey: generateSessionKey().address,
    permissions,
    validity: { startTimestamp: now, endTimestamp: now + 100 },
    gasBudget: 1_000n,
    paymasters: [paymaster],
    now,
    ...extra,
  })
}

const usage = (overrides: Partial<SessionUsage> = {}): SessionUsage => ({
  exists: true,
  revoked: false,
  enabled: true,
  gasLeft: 1_000n,
  epoch: 7n,
  targets: {},
  ...overrides,
})

const transfer = (amount: bigint) => ({
  to: token,
  data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [someone, amount] }),
})
const ping = (n: bigint, value = 0n) => ({
  to: target,
  value,
  data: encodeFunctionData({ abi: targetAbi, functionName: 'ping', args: [n] }),
})
const mark = (who: Address, level: number, on: boolean) => ({
  to: target,
  data: encodeFunctionData({ abi: targetAbi, functionName: 'mark', args: [who, level, on] }),
})

function check(
  s: Session,
  calls: Parameters<typeof encodeExecute>[1],
  options: {
    u?: SessionUsage
    at?: number
    maxCost?: bigint
    paymaster?: Address
    grant?: { epoch: bigint; enableBefore: number }
  } = {},
) {
  checkSessionOperation(
    s,
    options.u ?? usage(),
    {
      callData: encodeExecute(account, calls),
      maxCost: options.maxCost ?? 0n,
      paymaster: options.paymaster,
      grant: options.grant,
    },
    { now: options.at ?? now + 1 },
  )
}

const rule = (name: string, index?: number) => (e: unknown) =>
  e instanceof CallNotPermittedError && e.rule === name && (index === undefined || e.index === index)

describe('pre-flight check, no chain: every rule on its boundary', () => {
  it('argument rules: each condition at its bound, one below and one above', () => {
    const conditions = [
      ['lt', [true, false, false]],
      ['lte', [true, true, false]],
      ['gt', [false, false, true]],
      ['gte', [false, true, true]],
      ['eq', [false, true, false]],
      ['neq', [true, false, true]],
      ['oneOf', [false, true, false]],
    ] as const
    for (const [condition, expected] of conditions) {
      const s = session([
        {
          whitelistDestination: target,
          whitelistMethods: ['ping(uint256)'],
          rules: [
            { method: 'ping(uint256 number)', arg: 'number', condition, value: condition === 'oneOf' ? [100n] : 100n },
          ],
        },
      ])
      ;[99n, 100n, 101n].forEach((n, i) => {
        if (expected[i]) check(s, [ping(n)])
        else assert.throws(() => check(s, [ping(n)]), rule('argument', 0), `${condition} at ${n}`)
      })
    }
  })

  it('argument rules on address, uint8 and bool arguments, several per function', () => {
    const s = session([
      {
        whitelistDestination: target,
        whitelistMethods: ['mark(address,uint8,bool)'],
        rules: [
          { method: 'mark(address who, uint8 level, bool on)', arg: 'who', condition: 'eq', value: someone },
          { method: 'mark(address who, uint8 level, bool on)', arg: 'level', condition: 'lte', value: 3 },
          { method: 'mark(address who, uint8 level, bool on)', arg: 'on', condition: 'eq', value: true },
        ],
      },
    ])
    check(s, [mark(someone, 3, true)])
    assert.throws(() => check(s, [mark(token, 3, true)]), rule('argument'))
    assert.throws(() => check(s, [mark(someone, 4, true)]), rule('argument'))
    assert.throws(() => check(s, [mark(someone, 0, false)]), rule('argument'))
  })

  it('token limit: the remaining amount passes, one more is refused, batches add up', () => {
    const s = session([
      { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: 1000n },
    ])
    const spent = usage({ targets: { [token]: { tokenSpent: 400n, valueSpent: 0n, uses: 0n } } })
    check(s, [transfer(600n)], { u: spent })
    assert.throws(() => check(s, [transfer(601n)], { u: spent }), SpendingLimitExceededError)
    assert.throws(
      () => check(s, [transfer(300n), transfer(301n)], { u: spent }),
      (e: unknown) => e instanceof SpendingLimitExceededError && e.index === 1,
    )
  })

  it('value per call and in total, and uses, at their bounds', () => {
    const s = session([
      {
        whitelistDestination: target,
        whitelistMethods: ['ping(uint256)'],
        valueLimit: { perCall: 10n, total: 25n },
        maxUses: 2n,
      },
    ])
    check(s, [ping(1n, 10n)])
    assert.throws(() => check(s, [ping(1n, 11n)]), rule('value'))
    const used = usage({ targets: { [target]: { tokenSpent: 0n, valueSpent: 15n, uses: 1n } } })
    check(s, [ping(1n, 10n)], { u: used })
    assert.throws(() => check(s, [ping(1n, 10n), ping(1n, 0n)], { u: used }), rule('uses', 1))
    const nearTotal = usage({ targets: { [target]: { tokenSpent: 0n, valueSpent: 16n, uses: 0n } } })
    assert.throws(() => check(s, [ping(1n, 10n)], { u: nearTotal }), rule('value'))
  })

  it('gas budget and paymaster: exactly what is left passes, one wei more is refused', () => {
    const s = session([{ whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'] }])
    check(s, [transfer(1n)], { maxCost: 1_000n })
    assert.throws(() => check(s, [transfer(1n)], { maxCost: 1_001n }), rule('gas-budget'))
    assert.throws(() => check(s, [transfer(1n)], { maxCost: 600n, u: usage({ gasLeft: 599n }) }), rule('gas-budget'))
    check(s, [transfer(1n)], { paymaster })
    assert.throws(() => check(s, [transfer(1n)], { paymaster: someone }), rule('paymaster'))
    const unlimited = session([{ whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'] }], {
      gasBudget: 'unlimited',
    })
    check(unlimited, [transfer(1n)], { maxCost: maxUint256, u: usage({ gasLeft: maxUint256 }) })
    assert.equal(
      maxCostOf({
        verificationGasLimit: 1n,
        callGasLimit: 2n,
        preVerificationGas: 3n,
        paymasterVerificationGasLimit: 4n,
        paymasterPostOpGasLimit: 5n,
        maxFeePerGas: 10n,
      }),
      150n,
    )
  })

  it('state and window: not found, revoked, disabled, before the start, after the end', () => {
    const s = session([{ whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'] }])
    assert.throws(() => check(s, [transfer(1n)], { u: usage({ exists: false }) }), SessionNotFoundError)
    assert.throws(() => check(s, [transfer(1n)], { u: usage({ revoked: true }) }), SessionRevokedError)
    assert.throws(() => check(s, [transfer(1n)], { u: usage({ enabled: false }) }), SessionDisabledError)
    assert.throws(() => check(s, [transfer(1n)], { at: now - 1 }), SessionNotYetValidError)
    check(s, [transfer(1n)], { at: now + 100 })
    assert.throws(() => check(s, [transfer(1n)], { at: now + 101 }), SessionExpiredError)
  })

  it('a carried grant: the current epoch only, and usable until its deadline', () => {
    const s = session([{ whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'] }])
    const none = usage({ exists: false, gasLeft: 0n })
    check(s, [transfer(1n)], { u: none, grant: { epoch: 7n, enableBefore: now + 50 }, maxCost: 1_000n })
    assert.throws(
      () => check(s, [transfer(1n)], { u: none, grant: { epoch: 8n, enableBefore: now + 50 } }),
      SessionGrantEpochInvalidError,
    )
    check(s, [transfer(1n)], { u: none, grant: { epoch: 7n, enableBefore: now + 50 }, at: now + 50 })
    assert.throws(
      () => check(s, [transfer(1n)], { u: none, grant: { epoch: 7n, enableBefore: now + 50 }, at: now + 51 }),
      SessionGrantExpiredError,
    )
  })
})
