/**
 * A permission for any destination ("approve on any token, but only to the router, at most
 * 100 of each"): what it reaches, what bounds it, and what it can never do. Every refusal is
 * read back from the chain: allowances, balances, the module's per-destination counters and
 * the EntryPoint nonce.
 */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { type Address, concat, encodeFunctionData, encodePacked, type Hex, maxUint256, pad, zeroAddress } from 'viem'
import { sessionAccountAbi } from '../../src/abis.js'
import { testTargetAbi, testTokenAbi } from '../../src/devnet/index.js'
import {
  CallNotPermittedError,
  describeSession,
  fromErc7715Request,
  getRevokeSessionCleanupCalls,
  getSessionExposure,
  getSessionStatus,
  getSessionUsage,
  InvalidParameterError,
  type PermissionInput,
  type Session,
  SpendingLimitExceededError,
  sessionKeyValidatorAbi,
  toErc7715Request,
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

const approveMethod = 'approve(address spender, uint256 amount)'
const router = '0x000000000000000000000000000000000000bEEF' as Address

/** `approve` on any token, to the router only, at most 100 TUSD-units of each token. */
const anyApprove = (extra: Partial<Record<string, unknown>> = {}): PermissionInput =>
  ({
    whitelistDestination: 'any',
    whitelistMethods: [approveMethod],
    tokenAmount: tusd(100),
    rules: [{ method: approveMethod, arg: 'spender', condition: 'eq', value: router }],
    ...extra,
  }) as PermissionInput

const approve = (on: Address, amount: bigint, spender: Address = router) => ({
  to: on,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [spender, amount] }),
})

const allowance = (on: Address, spender: Address = router) =>
  f.client.readContract({ address: on, abi: testTokenAbi, functionName: 'allowance', args: [f.account, spender] })

/** What the module counted on `target` for the session: [tokenSpent, uses]. */
async function counted(session: Session, target: Address) {
  const [, tokenSpent, , , , uses] = await f.client.readContract({
    address: session.module,
    abi: sessionKeyValidatorAbi,
    functionName: 'getTargetUsage',
    args: [session.account, session.id, target],
  })
  return [tokenSpent, uses]
}

/** Everything a refusal must leave as it was. */
async function snapshot(session: Session) {
  return {
    nonce: await f.sessionNonce(session),
    allowances: [await allowance(f.token), await allowance(f.otherToken), await allowance(f.token, f.recipient)],
    balances: [
      await f.balanceOf(f.account),
      await f.balanceOf(f.recipient),
      await f.balanceOf(f.recipient, f.otherToken),
    ],
    eth: await f.client.getBalance({ address: f.account }),
    counters: [await counted(session, f.token), await counted(session, f.otherToken), await counted(session, f.target)],
  }
}

const isRule =
  (rule: string, index = 0) =>
  (e: unknown) =>
    e instanceof CallNotPermittedError && e.rule === rule && e.index === index

/** execute(mode, executionCalldata) encoded by hand, for call types the SDK never builds. */
const execute = (mode: Hex, executionCalldata: Hex) =>
  encodeFunctionData({ abi: sessionAccountAbi, functionName: 'execute', args: [mode, executionCalldata] })
const modeSingle = pad('0x00', { dir: 'right', size: 32 })
const modeDelegate = pad('0xff', { dir: 'right', size: 32 })
const modeTry = pad('0x0001', { dir: 'right', size: 32 })

describe('a permission for any destination', () => {
  it('approves any token to the router, each token counted on its own up to the limit', async () => {
    const { session, dapp } = await f.grant({ permissions: [anyApprove()] })
    await f.sendChecked(dapp, [approve(f.token, tusd(60)), approve(f.otherToken, tusd(60))])
    assert.equal(await allowance(f.token), tusd(60))
    assert.equal(await allowance(f.otherToken), tusd(60))
    assert.deepEqual(await counted(session, f.token), [tusd(60), 0n])
    assert.deepEqual(await counted(session, f.otherToken), [tusd(60), 0n])
    // The permission's own record (destination 0) never counts anything.
    assert.deepEqual(await counted(session, zeroAddress), [0n, 0n])

    // 41 more on the first token: over its 100, whatever is left on the other.
    const before = await snapshot(session)
    await assert.rejects(
      f.send(dapp, [approve(f.token, tusd(41))]),
      (e: unknown) =>
        e instanceof SpendingLimitExceededError &&
        e.target === f.token &&
        e.spent === tusd(60) &&
        e.amount === tusd(41) &&
        e.limit === tusd(100),
    )
    assert.deepEqual(await snapshot(session), before, 'no allowance, counter or nonce moved')
    // The pre-flight check reads the token's counter and says the same before sending.
    await assert.rejects(
      f.sendChecked(dapp, [approve(f.token, tusd(41))]),
      (e: unknown) => e instanceof SpendingLimitExceededError && e.spent === tusd(60),
    )
    await f.send(dapp, [approve(f.token, tusd(40))])
    assert.equal(await allowance(f.token), tusd(40))
    assert.deepEqual(await counted(session, f.token), [tusd(100), 0n])
  })

  it('refuses another spender, another method, value, empty calldata and other call types', async () => {
    const { session, dapp } = await f.grant({ permissions: [anyApprove()] })
    const before = await snapshot(session)
    // The argument rule: the router only.
    await assert.rejects(f.send(dapp, [approve(f.otherToken, 1n, f.recipient)]), isRule('argument'))
    // A method the permission does not name, on a listed-by-nobody token.
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), isRule('method'))
    // A method the permission names, but on a contract that is not a token, still bound by the rule:
    // the target's `mark` is not `approve`.
    const mark = encodeFunctionData({ abi: testTargetAbi, functionName: 'mark', args: [router, 1, true] })
    await assert.rejects(f.send(dapp, [{ to: f.target, data: mark }]), isRule('method'))
    // Native value, with an approve the rule accepts.
    await assert.rejects(f.send(dapp, [{ ...approve(f.token, 1n), value: 1n }]), isRule('value'))
    // A plain value transfer (empty calldata) to anyone.
    await assert.rejects(f.send(dapp, [{ to: f.recipient, value: 1n }]), isRule('value'))
    const approveData = approve(f.token, 1n).data
    await assert.rejects(
      f.sendRaw(dapp, {
        callData: execute(modeSingle, encodePacked(['address', 'uint256', 'bytes'], [f.recipient, 0n, '0x'])),
      }),
      isRule('calldata'),
    )
    // Delegatecall and try-mode: never through an any-destination permission.
    await assert.rejects(
      f.sendRaw(dapp, { callData: execute(modeDelegate, concat([f.token, approveData])) }),
      isRule('call-type'),
    )
    await assert.rejects(
      f.sendRaw(dapp, {
        callData: execute(modeTry, encodePacked(['address', 'uint256', 'bytes'], [f.token, 0n, approveData])),
      }),
      isRule('call-type'),
    )
    assert.deepEqual(await snapshot(session), before, 'nothing moved, nothing counted, nonce unchanged')
  })

  it('never reaches the account, the module or the zero address', async () => {
    const { session, dapp } = await f.grant({ permissions: [anyApprove()] })
    const before = await snapshot(session)
    for (const target of [f.account, session.module, zeroAddress]) {
      await assert.rejects(
        f.send(dapp, [{ to: target, data: approve(f.token, 1n).data }]),
        isRule('destination'),
        target,
      )
    }
    assert.deepEqual(await snapshot(session), before)
  })

  it("a destination another permission lists keeps that permission's rules, not the wildcard's", async () => {
    const { session, dapp } = await f.grant({
      permissions: [
        { whitelistDestination: f.token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tusd(10) },
        anyApprove(),
      ],
    })
    const before = await snapshot(session)
    // approve on the listed token: its permission has no approve.
    await assert.rejects(f.send(dapp, [approve(f.token, 1n)]), isRule('method'))
    // transfer on an unlisted token: the wildcard has no transfer.
    await assert.rejects(f.send(dapp, [f.transfer(1n, f.recipient, f.otherToken)]), isRule('method'))
    assert.deepEqual(await snapshot(session), before)
    // Both as granted, in one batch: each call under its own permission, each counter apart.
    await f.sendChecked(dapp, [f.transfer(tusd(10)), approve(f.otherToken, tusd(100))])
    assert.equal(await f.balanceOf(f.recipient), tusd(10))
    assert.equal(await allowance(f.otherToken), tusd(100))
    assert.deepEqual(await counted(session, f.token), [tusd(10), 0n])
    assert.deepEqual(await counted(session, f.otherToken), [tusd(100), 0n])
    const usage = await getSessionUsage(f.client, { session, targets: [f.otherToken] })
    assert.equal(usage.targets[f.otherToken].tokenSpent, tusd(100))
    // The destinations to read are checked like every input.
    for (const [targets, field] of [
      [f.otherToken, 'targets'],
      [['0x12'], 'targets[0]'],
    ] as const) {
      await assert.rejects(
        getSessionUsage(f.client, { session, targets: targets as never }),
        (e: unknown) => e instanceof InvalidParameterError && e.field === field,
        field,
      )
    }
  })

  it('a destination it reached stays unlisted: the rule and the limit still apply on every later call', async () => {
    const { session, dapp } = await f.grant({ permissions: [anyApprove()] })
    await f.send(dapp, [approve(f.token, tusd(10))])
    // The token's own record holds a counter only: no flags, so the views read no limits of its own.
    const [tokenLimit, , , , maxUses] = await f.client.readContract({
      address: session.module,
      abi: sessionKeyValidatorAbi,
      functionName: 'getTargetUsage',
      args: [session.account, session.id, f.token],
    })
    assert.deepEqual([tokenLimit, maxUses], [maxUint256, maxUint256])
    const before = await snapshot(session)
    await assert.rejects(f.send(dapp, [approve(f.token, 1n, f.recipient)]), isRule('argument'))
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), isRule('method'))
    await assert.rejects(
      f.send(dapp, [approve(f.token, tusd(91))]),
      (e: unknown) => e instanceof SpendingLimitExceededError && e.spent === tusd(10) && e.limit === tusd(100),
    )
    assert.deepEqual(await snapshot(session), before)
  })

  it('a method other than a token function, on any contract, under its own rule', async () => {
    const markMethod = 'mark(address who, uint8 level, bool on)'
    const { session, dapp } = await f.grant({
      permissions: [
        anyApprove({
          tokenAmount: undefined, // a token limit never stands beside a method it cannot count
          whitelistMethods: [approveMethod, markMethod],
          rules: [
            { method: approveMethod, arg: 'spender', condition: 'eq', value: router },
            { method: markMethod, arg: 'who', condition: 'eq', value: router },
          ],
        }),
      ],
    })
    const mark = (who: Address) => ({
      to: f.target,
      data: encodeFunctionData({ abi: testTargetAbi, functionName: 'mark', args: [who, 1, true] }),
    })
    const calls = () =>
      f.client.readContract({ address: f.target, abi: testTargetAbi, functionName: 'calls', args: [f.account] })
    await f.sendChecked(dapp, [mark(router)])
    assert.equal(await calls(), 1n)
    const before = await snapshot(session)
    await assert.rejects(f.send(dapp, [mark(f.recipient)]), isRule('argument'))
    assert.equal(await calls(), 1n)
    assert.deepEqual(await snapshot(session), before)
  })

  it("the owner's revoke finds and resets the allowances it gave on every token", async () => {
    const { session, dapp } = await f.grant({ permissions: [anyApprove()] })
    await f.send(dapp, [approve(f.token, tusd(5)), approve(f.otherToken, tusd(7))])
    const { calls, approvals } = await getRevokeSessionCleanupCalls(f.client, { session })
    assert.deepEqual(
      approvals.map((a) => [a.token, a.spender, a.allowance]),
      [
        [f.token, router, tusd(5)],
        [f.otherToken, router, tusd(7)],
      ],
    )
    await f.send(f.ownerAccount, calls)
    assert.deepEqual([await allowance(f.token), await allowance(f.otherToken)], [0n, 0n])
    assert.equal((await getSessionStatus(f.client, { session })).status, 'revoked')
  })

  it('counts maxUses per destination', async () => {
    const { session, dapp } = await f.grant({ permissions: [anyApprove({ maxUses: 1 })] })
    await f.send(dapp, [approve(f.token, 1n), approve(f.otherToken, 1n)])
    assert.deepEqual(await counted(session, f.token), [1n, 1n])
    assert.deepEqual(await counted(session, f.otherToken), [1n, 1n])
    const before = await snapshot(session)
    await assert.rejects(f.send(dapp, [approve(f.token, 1n)]), isRule('uses'))
    assert.deepEqual(await snapshot(session), before)
  })
})

describe('granting a permission for any destination', () => {
  it('the SDK refuses one that nothing would bound, naming the field', async () => {
    const refused = (permission: PermissionInput, field: string, permissions = [permission]) =>
      assert.rejects(
        f.define({ permissions }),
        (e: unknown) => e instanceof InvalidParameterError && e.field === field,
        field,
      )
    await refused(anyApprove({ rules: [] }), 'permissions[0].whitelistMethods[0]')
    await refused(
      anyApprove({ whitelistMethods: [approveMethod, 'transfer(address,uint256)'] }),
      'permissions[0].whitelistMethods[1]',
    )
    await refused(anyApprove({ valueLimit: { perCall: 1n, total: 1n } }), 'permissions[0].valueLimit')
    await refused(anyApprove({ recurring: { period: 'day', tokenAmount: 1n } }), 'permissions[0].recurring')
    await refused(anyApprove({ allowDelegatecall: true }), 'permissions[0]')
    await refused(anyApprove({ allowEmptyCalldata: true }), 'permissions[0]')
    await refused(anyApprove(), 'permissions[1].target', [anyApprove(), anyApprove()])
  })

  it('the module refuses the same when the SDK is bypassed', async () => {
    const { session } = await f.define({ permissions: [anyApprove()] })
    const good = toSessionConfig(session)
    const [permission] = good.permissions
    const cases: [Partial<typeof permission>, string, readonly unknown[]][] = [
      [{ target: f.token }, 'SessionAnyTargetInvalid', [1n, '0x00000000']],
      [{ flags: 8 | 1 }, 'SessionAnyTargetInvalid', [1n, '0x00000000']],
      [{ valueLimitPerCall: 1n, valueLimitTotal: 1n }, 'SessionAnyTargetInvalid', [2n, '0x00000000']],
      [
        { recurring: { start: 1, period: 60, tokenLimit: 1n, valueLimit: 0n, maxUses: 0n } },
        'SessionAnyTargetInvalid',
        [3n, '0x00000000'],
      ],
      [{ rules: [] }, 'SessionAnyTargetInvalid', [4n, '0x095ea7b3']],
      // Without the flag, destination 0 is what it always was: forbidden.
      [{ flags: 0 }, 'SessionTargetForbidden', [zeroAddress]],
    ]
    for (const [change, name, args] of cases) {
      await assertCreateRefused(f.client, session, { ...good, permissions: [{ ...permission, ...change }] }, name, args)
    }
  })

  it('the wallet sees "any contract", an unbounded worst case per token, and ERC-7715 carries it back', async () => {
    const { session } = await f.define({ permissions: [anyApprove()] })
    const { lines, warnings } = await describeSession(f.client, { session })
    assert.match(warnings.join('\n'), /May call approve\(address,uint256\) on any contract no other permission names/)
    assert.match(
      lines.join('\n'),
      /Only if approve\(address,uint256\): spender = 0x000000000000000000000000000000000000bEEF/,
    )
    assert.match(lines.join('\n'), /Worst case over its whole life: any number of tokens \(approve/)
    const exposure = getSessionExposure({ session })
    assert.equal(exposure.bounded, false)
    assert.deepEqual(exposure.tokens, [
      {
        token: zeroAddress,
        anyDestination: true,
        max: 'unbounded',
        reason: `${approveMethod} on any token: at most ${tusd(100)} base units of each token, on as many tokens as the account holds`,
      },
    ])
    // A round trip through ERC-7715 keeps it a wildcard with its rule, not a call to address 0.
    const request = toErc7715Request(session)
    assert.deepEqual(request.permissions[0].type, { custom: 'session-keys/any-destination-call' })
    const back = fromErc7715Request(request, { now: session.validAfter })
    assert.deepEqual(back.session.permissions, session.permissions)
  })
})
