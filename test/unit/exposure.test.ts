/** The worst case a session can cost the account over its life, from what the module enforces. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Address } from 'viem'
import {
  defaultGasBudget,
  defineSession,
  describeSession,
  generateSessionKey,
  getSessionExposure,
  type PermissionInput,
  UntrustedModuleError,
} from '../../src/index.js'

const account = '0x1111111111111111111111111111111111111111' as Address
const token = '0x2222222222222222222222222222222222222222' as Address
const game = '0x3333333333333333333333333333333333333333' as Address
const now = 1_800_000_000
const session = (permissions: PermissionInput[], gasBudget?: bigint | 'unlimited') =>
  defineSession({
    account,
    chainId: 31337,
    sessionKey: generateSessionKey().address,
    permissions,
    validity: { endTimestamp: now + 3600 },
    gasBudget,
    now,
  })
const exposureOf = (s: ReturnType<typeof session>) => getSessionExposure({ session: s })
const pay = { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: 1000n }

describe('getSessionExposure', () => {
  it("the README's session is bounded: its token limit, no value, the default gas budget", () => {
    const exposure = exposureOf(session([pay]))
    assert.deepEqual(exposure.tokens, [{ token, max: 1000n }])
    assert.deepEqual(exposure.value, { max: 0n })
    assert.deepEqual(exposure.gas, { max: defaultGasBudget })
    assert.deepEqual(exposure.otherMethods, [])
    assert.equal(exposure.bounded, true)
  })

  it('a token function without a token limit is unbounded, and says which', () => {
    const { tokens, bounded } = exposureOf(
      session([{ whitelistDestination: token, whitelistMethods: ['approve(address,uint256)'] }]),
    )
    assert.deepEqual(tokens, [{ token, max: 'unbounded', reason: 'no token limit on approve(address,uint256)' }])
    assert.equal(bounded, false)
  })

  it('native value: totals add up, a per-call limit counts times the use limit, and without either it is unbounded', () => {
    const play = (valueLimit: { perCall?: bigint; total?: bigint }, maxUses?: bigint) => ({
      whitelistDestination: game,
      whitelistMethods: ['play(uint256)'],
      valueLimit,
      maxUses,
    })
    const twoTotals = exposureOf(session([{ ...pay, valueLimit: { total: 5n } }, play({ total: 7n })]))
    assert.deepEqual(twoTotals.value, { max: 12n })
    assert.deepEqual(exposureOf(session([play({ perCall: 3n }, 4n)])).value, { max: 12n })
    const open = exposureOf(session([play({ perCall: 3n })]))
    assert.equal(open.value.max, 'unbounded')
    assert.match(open.value.reason ?? '', /per-call limit but no total and no use limit/)
    assert.equal(open.bounded, false)
    assert.deepEqual(open.otherMethods, [{ target: game, methods: ['play(uint256)'], maxUses: undefined }])
  })

  it("an 'unlimited' gas budget and a delegatecall are unbounded, with the reason", () => {
    const gas = exposureOf(session([pay], 'unlimited'))
    assert.deepEqual(gas.gas, { max: 'unbounded', reason: "the owner opted out of a gas budget ('unlimited')" })
    const delegate = exposureOf(
      session([pay, { whitelistDestination: game, whitelistMethods: ['run()'], allowDelegatecall: true }]),
    )
    assert.equal(delegate.tokens[0].max, 'unbounded')
    assert.match(delegate.value.reason ?? '', /delegatecall to 0x3333333333333333333333333333333333333333/)
    assert.equal(delegate.bounded, false)
  })

  it('treats the session as hostile input, like every wallet-side function', () => {
    assert.throws(() => getSessionExposure({ session: { ...session([pay]), module: game } }), UntrustedModuleError)
    const allowed = getSessionExposure({ session: { ...session([pay]), module: game }, allowUnknownModule: true })
    assert.equal(allowed.bounded, false, 'a module of the dapp bounds nothing')
    assert.match(allowed.gas.reason ?? '', /decides alone/)
  })

  it('describeSession shows the worst case in one line', async () => {
    const { lines } = await describeSession(undefined, { session: session([pay]) })
    assert.ok(
      lines.includes(
        `Worst case over its whole life: 1000 (base units) of ${token}, 0 ETH sent with calls, 0.05 ETH of gas`,
      ),
      lines.join('\n'),
    )
  })
})
