/**
 * A cumulative sum on a numeric argument (`sumLte`): "at most 10 in total of `number` over
 * every call" — across operations and within a batch, never after a refusal, one total per
 * rule (or per any-destination permission). Every refusal is read back from the chain: the
 * target's call count, the module's running total and the EntryPoint nonce.
 */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { type Address, encodeFunctionData, type Hex, pad, toHex, zeroAddress } from 'viem'
import { deployTestTarget, testTargetAbi } from '../../src/devnet/index.js'
import {
  CallNotPermittedError,
  describeSession,
  InvalidParameterError,
  type PermissionInput,
  type Session,
  sessionKeyValidatorAbi,
  toSessionConfig,
} from '../../src/index.js'
import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'
import { assertCreateRefused } from '../helpers/revert.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})
beforeEach(async () => {
  await f.reset()
})

const pingMethod = 'ping(uint256 number)'
const pingSelector = '0x773acdef'
const ping = (number: bigint, to: Address = f.target) => ({
  to,
  data: encodeFunctionData({ abi: testTargetAbi, functionName: 'ping', args: [number] }),
})
/** `ping` on the target, the sum of `number` at most `limit`. */
const summed = (limit: bigint, target: Address | 'any' = f.target): PermissionInput => ({
  whitelistDestination: target,
  whitelistMethods: [pingMethod],
  rules: [{ method: pingMethod, arg: 'number', condition: 'sumLte', value: limit }],
})

const calls = (on: Address = f.target) =>
  f.client.readContract({ address: on, abi: testTargetAbi, functionName: 'calls', args: [f.account] })

/** The module's [limit, total] of a session's rule. */
const total = (session: Session, target: Address, selector: Hex = pingSelector, index = 0n) =>
  f.client.readContract({
    address: session.module,
    abi: sessionKeyValidatorAbi,
    functionName: 'getRuleTotal',
    args: [session.account, session.id, target, selector, index],
  })

const isArgument = (index: number, detail?: RegExp) => (e: unknown) =>
  e instanceof CallNotPermittedError &&
  e.rule === 'argument' &&
  e.index === index &&
  (detail === undefined || detail.test(e.message))

describe('a cumulative sum on an argument', () => {
  it('counts across operations and within a batch, and refuses the call that would pass the limit', async () => {
    const { session, dapp } = await f.grant({ permissions: [summed(10n)] })
    await f.sendChecked(dapp, [ping(4n)])
    assert.deepEqual(await total(session, f.target), [10n, 4n])
    await f.sendChecked(dapp, [ping(3n), ping(3n)])
    assert.deepEqual(await total(session, f.target), [10n, 10n])
    assert.equal(await calls(), 3n)

    const nonce = await f.sessionNonce(session)
    await assert.rejects(f.send(dapp, [ping(1n)]), isArgument(0))
    assert.deepEqual(await total(session, f.target), [10n, 10n], 'the total did not move')
    assert.equal(await calls(), 3n, 'the call did not run')
    assert.equal(await f.sessionNonce(session), nonce)
    // The pre-flight check reads the total from chain and says so before anything is sent.
    await assert.rejects(f.sendChecked(dapp, [ping(1n)]), isArgument(0, /number 1 would bring .* 10 counted so far/))
    // A zero still fits.
    await f.send(dapp, [ping(0n)])
    assert.equal(await calls(), 4n)
  })

  it('a batch that passes the limit halfway counts nothing', async () => {
    const { session, dapp } = await f.grant({ permissions: [summed(10n)] })
    const nonce = await f.sessionNonce(session)
    await assert.rejects(f.send(dapp, [ping(6n), ping(5n)]), isArgument(1))
    await assert.rejects(f.sendChecked(dapp, [ping(6n), ping(5n)]), isArgument(1, /6 counted so far/))
    assert.deepEqual(await total(session, f.target), [10n, 0n])
    assert.equal(await calls(), 0n)
    assert.equal(await f.sessionNonce(session), nonce)
  })

  it('a later rule broken in the same call undoes what the sum counted', async () => {
    const markMethod = 'mark(address who, uint8 level, bool on)'
    const router = '0x000000000000000000000000000000000000bEEF'
    const { session, dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.target,
          whitelistMethods: [markMethod],
          rules: [
            { method: markMethod, arg: 'level', condition: 'sumLte', value: 5 },
            { method: markMethod, arg: 'who', condition: 'eq', value: router },
          ],
        },
      ],
    })
    const mark = (who: Address, level: number) => ({
      to: f.target,
      data: encodeFunctionData({ abi: testTargetAbi, functionName: 'mark', args: [who, level, true] }),
    })
    const markSelector = mark(router, 0).data.slice(0, 10) as Hex
    await f.send(dapp, [mark(router, 2)])
    await assert.rejects(f.send(dapp, [mark(f.recipient, 2)]), isArgument(0))
    assert.deepEqual(await total(session, f.target, markSelector), [5n, 2n])
    assert.deepEqual(await total(session, f.target, markSelector, 1n), [0n, 0n], 'rule 1 is not a sum')
    await f.sendChecked(dapp, [mark(router, 3)])
    assert.deepEqual(await total(session, f.target, markSelector), [5n, 5n])
  })

  it("on a token function it is never the destination's inline rule: the sum counts", async () => {
    // A destination's only token rule, narrow enough to be kept inline (128 bits, in stored
    // form): inline rules compare, they cannot count, so a sum must go to the selector record.
    const { session, dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          tokenAmount: tusd(100),
          rules: [{ selector: '0xa9059cbb', word: 1, condition: 'sumLte', bits: 128, values: [pad(toHex(tusd(5)))] }],
        },
      ],
    })
    await f.sendChecked(dapp, [f.transfer(tusd(3))])
    await assert.rejects(f.send(dapp, [f.transfer(tusd(3))]), isArgument(0))
    assert.equal(await f.balanceOf(f.recipient), tusd(3))
    assert.deepEqual(await total(session, f.token, '0xa9059cbb'), [tusd(5), tusd(3)])
  })

  it('on an any-destination permission, one total over every destination', async () => {
    const other = await deployTestTarget(f.client)
    const { session, dapp } = await f.grant({ permissions: [summed(10n, 'any')] })
    await f.sendChecked(dapp, [ping(6n)])
    await assert.rejects(f.sendChecked(dapp, [ping(5n, other)]), isArgument(0, /6 counted so far/))
    await assert.rejects(f.send(dapp, [ping(5n, other)]), isArgument(0))
    assert.equal(await calls(other), 0n)
    assert.deepEqual(await total(session, zeroAddress), [10n, 6n])
    await f.send(dapp, [ping(4n, other)])
    assert.deepEqual(await total(session, zeroAddress), [10n, 10n])
  })
})

describe('granting a cumulative sum', () => {
  it('is refused on anything but an unsigned integer, and an unknown condition by the module', async () => {
    for (const [method, arg] of [
      ['mark(address who, uint8 level, bool on)', 'who'],
      ['mark(address who, uint8 level, bool on)', 'on'],
      ['f(int256 delta)', 'delta'],
      ['f(bytes32 id)', 'id'],
    ]) {
      await assert.rejects(
        f.define({
          permissions: [
            {
              whitelistDestination: f.target,
              whitelistMethods: [method],
              rules: [{ method, arg, condition: 'sumLte', value: 1 }],
            },
          ],
        }),
        (e: unknown) => e instanceof InvalidParameterError && e.field === 'permissions[0].rules[0].condition',
        `${method} ${arg}`,
      )
    }
    const { session } = await f.define({ permissions: [summed(10n)] })
    const good = toSessionConfig(session)
    const [permission] = good.permissions
    const unknown = { ...good, permissions: [{ ...permission, rules: [{ ...permission.rules[0], condition: 8 }] }] }
    await assertCreateRefused(f.client, session, unknown, 'SessionRuleInvalid', [f.target, pingSelector, 3n])
  })

  it('the wallet reads it as a sum over all calls', async () => {
    const { session } = await f.define({ permissions: [summed(10n)] })
    const { lines } = await describeSession(f.client, { session })
    assert.ok(lines.includes('  Only if ping(uint256): the sum of number over all its calls ≤ 10'), lines.join('\n'))
  })
})
