/**
 * Recurring limits and rate limits, enforced in validation without reading the clock: the
 * signature claims a time, the module charges that time's period and narrows the operation's
 * window to it, and the EntryPoint refuses the operation outside it. Every refusal is read
 * back from the chain: balances, the period's counters, the EntryPoint nonce.
 */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { type Address, type Call, concat, type Hex, keccak256, numberToHex, pad, parseEther } from 'viem'
import { getUserOperationHash, type UserOperation } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'
import {
  CallNotPermittedError,
  describeSession,
  entryPointAddress,
  getSessionExposure,
  getSpendingLimits,
  InvalidParameterError,
  InvalidSessionSignatureError,
  PeriodLimitExceededError,
  preflight,
  type Session,
  sessionKeyValidatorAbi,
  signSessionGrant,
  toSessionKeyAccount,
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

const day = 86_400

/** The module's counters of the period last charged on `target`. */
async function period(session: Session, target: Address = f.token) {
  const [start, length, index, , tokenSpent, , valueSpent, , uses] = await f.client.readContract({
    address: session.module,
    abi: sessionKeyValidatorAbi,
    functionName: 'getPeriodUsage',
    args: [session.account, session.id, target],
  })
  return { start, length, index, tokenSpent, valueSpent, uses }
}

/** What a refusal must leave unchanged. */
async function state(session: Session) {
  return {
    nonce: await f.sessionNonce(session),
    account: await f.balanceOf(session.account),
    recipient: await f.balanceOf(f.recipient),
    period: await period(session),
    lifetime: await f.spent(session),
  }
}

/** A daily allowance of `perDay` TUSD (periods from `start`), and 1,000 TUSD over the session's life. */
async function daily(perDay: bigint, start: number, extra: object = {}) {
  return f.grant({
    start,
    end: start + 30 * day,
    permissions: [
      {
        whitelistDestination: f.token,
        whitelistMethods: ['transfer(address,uint256)'],
        tokenAmount: tusd(1000),
        recurring: { period: 'day', start, tokenAmount: perDay },
        ...extra,
      },
    ],
  })
}

/**
 * Sends a transfer whose signature claims `claim` (or none), mined at `at`: the operation is
 * prepared as the SDK does, then signed by hand with the session key.
 */
async function sendAt(
  grant: Awaited<ReturnType<typeof daily>>,
  calls: readonly Call[],
  { claim, at }: { claim: number | undefined; at: number },
) {
  const { session, key, dapp } = grant
  const signer = privateKeyToAccount(key.privateKey)
  return f.sendRaw(dapp, {
    callData: await dapp.encodeCalls(calls),
    signature: async (_signed: Hex, userOperation: UserOperation<'0.7'>) => {
      const userOpHash = getUserOperationHash({
        userOperation: { ...userOperation, sender: session.account },
        entryPointAddress,
        entryPointVersion: '0.7',
        chainId: session.chainId,
      })
      const claimed = claim === undefined ? undefined : numberToHex(claim, { size: 6 })
      const signedFor = claimed ? keccak256(concat([session.id, pad(claimed, { size: 32 })])) : session.id
      const rsv = await signer.sign({ hash: keccak256(concat([userOpHash, signedFor])) })
      await f.client.setNextBlockTimestamp({ timestamp: BigInt(at) })
      return concat([claimed ? '0x02' : '0x00', session.sessionKey, session.salt, rsv, ...(claimed ? [claimed] : [])])
    },
  })
}

/**
 * A start a little after the chain's time, so that tests can place blocks freely. A block is
 * mined first: after a snapshot is reverted, the latest block's time lags the time the next
 * block gets (the node's clock runs on) by as long as the suite has run so far.
 */
async function nextStart() {
  await f.client.mine({ blocks: 1 })
  return (await f.devnet.now()) + 100
}

describe('recurring allowance: 10 TUSD a day', () => {
  it('charges each day apart, refuses the 11th TUSD of a day, and renews the next day', async () => {
    const start = await nextStart()
    const g = await daily(tusd(10), start)
    await sendAt(g, [f.transfer(tusd(6))], { claim: start + 10, at: start + 10 })
    await sendAt(g, [f.transfer(tusd(4))], { claim: start + 20, at: start + 20 })
    const before = await state(g.session)
    assert.deepEqual(
      { index: before.period.index, spent: before.period.tokenSpent, lifetime: before.lifetime },
      { index: 0n, spent: tusd(10), lifetime: tusd(10) },
    )
    await assert.rejects(
      sendAt(g, [f.transfer(1n)], { claim: start + 30, at: start + 30 }),
      (e: unknown) =>
        e instanceof PeriodLimitExceededError &&
        e.kind === 'token' &&
        e.period === 0n &&
        e.spent === tusd(10) &&
        e.amount === 1n &&
        e.limit === tusd(10) &&
        e.resetsAt === start + day,
    )
    assert.deepEqual(await state(g.session), before, 'nothing moved, nothing counted, nonce unchanged')
    // The next day: the allowance renews; the lifetime total keeps counting.
    await sendAt(g, [f.transfer(tusd(10))], { claim: start + day, at: start + day })
    const after = await state(g.session)
    assert.equal(after.period.index, 1n)
    assert.equal(after.period.tokenSpent, tusd(10))
    assert.equal(after.lifetime, tusd(20))
    assert.equal(after.recipient, tusd(20))
    assert.equal(after.nonce, before.nonce + 1n)
  })

  it('the last second of a period counts in it; the first second of the next does not accept its claim', async () => {
    const start = await nextStart()
    const g = await daily(tusd(10), start)
    const last = start + day - 1
    await sendAt(g, [f.transfer(tusd(5))], { claim: last, at: last })
    const before = await state(g.session)
    assert.deepEqual({ index: before.period.index, spent: before.period.tokenSpent }, { index: 0n, spent: tusd(5) })
    // Signed in period 0 (which has room), validated one second later in period 1: the EntryPoint
    // refuses it for the window the module returned (AA22), and nothing is charged.
    await assert.rejects(
      sendAt(g, [f.transfer(tusd(1))], { claim: last, at: last + 1 }),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'period' && e.index === undefined,
    )
    assert.deepEqual(await state(g.session), before)
    // Signed again for the new period: accepted.
    await sendAt(g, [f.transfer(tusd(1))], { claim: last + 1, at: last + 1 })
    assert.deepEqual((await period(g.session)).index, 1n)
    assert.equal((await period(g.session)).tokenSpent, tusd(1))
  })

  it('a skipped period starts from zero; a claim of a future period is refused and resets nothing', async () => {
    const start = await nextStart()
    const g = await daily(tusd(10), start)
    await sendAt(g, [f.transfer(tusd(9))], { claim: start + 5, at: start + 5 })
    // Three days later (periods 1 and 2 unused): period 3 has its full allowance.
    await sendAt(g, [f.transfer(tusd(10))], { claim: start + 3 * day + 5, at: start + 3 * day + 5 })
    assert.deepEqual(
      { index: (await period(g.session)).index, spent: (await period(g.session)).tokenSpent },
      { index: 3n, spent: tusd(10) },
    )
    // Period 3 is spent. Claiming period 4 while the chain is in period 3 would reset the
    // counter, but the operation's window is period 4: the EntryPoint refuses it and the
    // whole validation (the reset with it) is reverted.
    const before = await state(g.session)
    await assert.rejects(
      sendAt(g, [f.transfer(tusd(10))], { claim: start + 4 * day, at: start + 3 * day + 10 }),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'period',
    )
    assert.deepEqual(await state(g.session), before, 'period 3 is still the one charged, still spent')
    await assert.rejects(
      sendAt(g, [f.transfer(1n)], { claim: start + 3 * day + 11, at: start + 3 * day + 11 }),
      PeriodLimitExceededError,
    )
  })

  it('a claim of a period before the last one charged is refused (SessionPeriodStale), nothing counted', async () => {
    const start = await nextStart()
    const g = await daily(tusd(10), start)
    await sendAt(g, [f.transfer(tusd(10))], { claim: start + day + 1, at: start + day + 1 })
    const before = await state(g.session)
    // Period 0 was never charged and its allowance is whole, but it is over: refused.
    await assert.rejects(
      sendAt(g, [f.transfer(tusd(5))], { claim: start + 1, at: start + day + 2 }),
      (e: unknown) =>
        e instanceof CallNotPermittedError && e.rule === 'period' && /period 0 .*period 1/.test(e.message),
    )
    assert.deepEqual(await state(g.session), before)
  })

  it('an operation that claims no time, or a time before the start, is refused', async () => {
    const start = await nextStart()
    const g = await daily(tusd(10), start)
    const before = await state(g.session)
    await assert.rejects(
      sendAt(g, [f.transfer(1n)], { claim: undefined, at: start + 1 }),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'period' && /claims no time/.test(e.message),
    )
    await assert.rejects(
      sendAt(g, [f.transfer(1n)], { claim: start - 1, at: start + 2 }),
      (e: unknown) =>
        e instanceof CallNotPermittedError && e.rule === 'period' && /before the recurring limits/.test(e.message),
    )
    assert.deepEqual(await state(g.session), before)
  })

  it('two transfers in one batch are counted together against the day', async () => {
    const start = await nextStart()
    const g = await daily(tusd(10), start)
    const before = await state(g.session)
    await assert.rejects(
      sendAt(g, [f.transfer(tusd(6)), f.transfer(tusd(5))], { claim: start + 1, at: start + 1 }),
      (e: unknown) => e instanceof PeriodLimitExceededError && e.index === 1 && e.spent === tusd(6),
    )
    assert.deepEqual(await state(g.session), before)
    await sendAt(g, [f.transfer(tusd(6)), f.transfer(tusd(4))], { claim: start + 2, at: start + 2 })
    assert.equal((await period(g.session)).tokenSpent, tusd(10))
  })

  it('a batch across a daily and an hourly allowance is valid only in the hour both share', async () => {
    const start = await nextStart()
    const g = await f.grant({
      start,
      end: start + 10 * day,
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          recurring: { period: 'day', start, tokenAmount: tusd(10) },
        },
        {
          whitelistDestination: f.otherToken,
          whitelistMethods: ['transfer(address,uint256)'],
          recurring: { period: 'hour', start, tokenAmount: tusd(10) },
        },
      ],
    })
    const both = [f.transfer(tusd(1)), f.transfer(tusd(1), f.recipient, f.otherToken)]
    const before = await state(g.session)
    // Claimed in hour 0, validated in hour 1 of the same day: the day alone would accept it.
    await assert.rejects(
      sendAt(g, both, { claim: start + 10, at: start + 3600 + 5 }),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'period',
    )
    assert.deepEqual(await state(g.session), before)
    assert.equal(await f.balanceOf(f.recipient, f.otherToken), 0n)
    await sendAt(g, both, { claim: start + 3600 + 6, at: start + 3600 + 6 })
    assert.equal((await period(g.session, f.otherToken)).index, 1n)
    assert.equal((await period(g.session)).index, 0n)
  })

  it('whoever submits the operation cannot move its claimed time: the key signed it', async () => {
    const start = await nextStart()
    const g = await daily(tusd(10), start)
    const before = await state(g.session)
    // Signed for period 1 (not yet open); the submitter rewrites the claim to period 0.
    await assert.rejects(
      f.sendRaw(g.dapp, {
        callData: await g.dapp.encodeCalls([f.transfer(tusd(10))]),
        signature: async (_signed: Hex, userOperation: UserOperation<'0.7'>) => {
          const userOpHash = getUserOperationHash({
            userOperation: { ...userOperation, sender: g.session.account },
            entryPointAddress,
            entryPointVersion: '0.7',
            chainId: g.session.chainId,
          })
          const signedClaim = numberToHex(start + day, { size: 6 })
          const rsv = await privateKeyToAccount(g.key.privateKey).sign({
            hash: keccak256(concat([userOpHash, keccak256(concat([g.session.id, pad(signedClaim, { size: 32 })]))])),
          })
          await f.client.setNextBlockTimestamp({ timestamp: BigInt(start + 5) })
          return concat(['0x02', g.session.sessionKey, g.session.salt, rsv, numberToHex(start + 5, { size: 6 })])
        },
      }),
      InvalidSessionSignatureError,
    )
    assert.deepEqual(await state(g.session), before)
  })

  it('two sessions keep their own days', async () => {
    const start = await nextStart()
    const a = await daily(tusd(10), start)
    const b = await daily(tusd(10), start)
    await sendAt(a, [f.transfer(tusd(10))], { claim: start + 1, at: start + 1 })
    await sendAt(b, [f.transfer(tusd(10))], { claim: start + 2, at: start + 2 })
    assert.equal((await period(a.session)).tokenSpent, tusd(10))
    assert.equal((await period(b.session)).tokenSpent, tusd(10))
    await assert.rejects(sendAt(a, [f.transfer(1n)], { claim: start + 3, at: start + 3 }), PeriodLimitExceededError)
  })
})

describe('rate limit: calls per period', () => {
  it('at most 2 calls a minute to the destination, across operations and within a batch', async () => {
    const start = await nextStart()
    const g = await f.grant({
      start,
      end: start + day,
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          recurring: { period: 60, start, maxUses: 2 },
        },
      ],
    })
    await sendAt(g, [f.transfer(1n)], { claim: start + 1, at: start + 1 })
    const before = await state(g.session)
    await assert.rejects(
      sendAt(g, [f.transfer(1n), f.transfer(1n)], { claim: start + 2, at: start + 2 }),
      (e: unknown) => e instanceof PeriodLimitExceededError && e.kind === 'uses' && e.index === 1 && e.limit === 2n,
    )
    assert.deepEqual(await state(g.session), before)
    await sendAt(g, [f.transfer(1n)], { claim: start + 3, at: start + 3 })
    assert.equal((await period(g.session)).uses, 2n)
    await sendAt(g, [f.transfer(1n), f.transfer(1n)], { claim: start + 60, at: start + 60 })
    assert.deepEqual(
      { index: (await period(g.session)).index, uses: (await period(g.session)).uses },
      { index: 1n, uses: 2n },
    )
  })
})

describe('recurring native value', () => {
  it('at most 1 ETH a day to a payee, per day', async () => {
    const start = await nextStart()
    const payee = privateKeyToAccount(keccak256('0x01')).address
    const g = await f.grant({
      start,
      end: start + 10 * day,
      permissions: [
        {
          whitelistDestination: payee,
          whitelistMethods: [],
          allowEmptyCalldata: true,
          valueLimit: { total: parseEther('5') },
          recurring: { period: 'day', start, valueLimit: parseEther('1') },
        },
      ],
    })
    await sendAt(g, [{ to: payee, data: '0x', value: parseEther('0.6') }], { claim: start + 1, at: start + 1 })
    const balance = await f.client.getBalance({ address: payee })
    await assert.rejects(
      sendAt(g, [{ to: payee, data: '0x', value: parseEther('0.5') }], { claim: start + 2, at: start + 2 }),
      (e: unknown) => e instanceof PeriodLimitExceededError && e.kind === 'value' && e.spent === parseEther('0.6'),
    )
    assert.equal(await f.client.getBalance({ address: payee }), balance)
    assert.equal((await period(g.session, payee)).valueSpent, parseEther('0.6'))
    await sendAt(g, [{ to: payee, data: '0x', value: parseEther('1') }], { claim: start + day, at: start + day })
    assert.equal(await f.client.getBalance({ address: payee }), balance + parseEther('1'))
  })
})

describe('the SDK with recurring limits', () => {
  it('signs the time of the next block; preflight predicts the chain and warns near the end of a period', async () => {
    const now = await f.devnet.now()
    // Periods of one hour that started 30 minutes ago, with a day-long session.
    const start = now - 1800
    const g = await f.grant({
      start: now,
      end: now + day,
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          recurring: { period: 'hour', start, tokenAmount: tusd(10) },
        },
      ],
    })
    const sent = await f.sendChecked(g.dapp, [f.transfer(tusd(7))])
    assert.equal(sent.success, true)
    assert.equal((await period(g.session)).tokenSpent, tusd(7))
    const [limits] = await getSpendingLimits(f.client, { session: g.session })
    assert.deepEqual(limits.period, {
      index: 0n,
      limit: tusd(10),
      spent: tusd(7),
      remaining: tusd(3),
      endsAt: start + 3599,
    })
    const checked = await preflight(f.client, { session: g.session, calls: [f.transfer(tusd(3))], maxCost: 0n })
    assert.equal(checked.periodEndsAt, start + 3600 - 1)
    assert.deepEqual(checked.warnings, [])
    await assert.rejects(
      preflight(f.client, { session: g.session, calls: [f.transfer(tusd(4))], maxCost: 0n }),
      (e: unknown) => e instanceof PeriodLimitExceededError && e.spent === tusd(7) && /7 TUSD/.test(e.message),
    )
    // 30 seconds before the period ends: a warning; the operation still lands in it.
    await f.client.setNextBlockTimestamp({ timestamp: BigInt(start + 3600 - 31) })
    await f.client.mine({ blocks: 1 })
    const late = await preflight(f.client, { session: g.session, calls: [f.transfer(tusd(1))], maxCost: 0n })
    assert.equal(late.warnings.length, 1)
    assert.match(late.warnings[0], /ends at .*sign and send it again/)
    // In the next period, the SDK claims it, and the allowance is whole again.
    await f.client.setNextBlockTimestamp({ timestamp: BigInt(start + 3600) })
    await f.client.mine({ blocks: 1 })
    assert.equal((await getSpendingLimits(f.client, { session: g.session }))[0].period?.remaining, tusd(10))
    await f.sendChecked(g.dapp, [f.transfer(tusd(10))])
    assert.deepEqual(
      { index: (await period(g.session)).index, spent: (await period(g.session)).tokenSpent },
      { index: 1n, spent: tusd(10) },
    )
  })

  it('an off-chain grant with a recurring limit creates the session on first use (enable form with a claimed time)', async () => {
    const start = await nextStart()
    const { session, key } = await f.define({
      start,
      end: start + 10 * day,
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          recurring: { period: 'day', tokenAmount: tusd(10) },
        },
      ],
    })
    assert.equal(session.permissions[0].recurring?.start, start, 'periods count from the session start by default')
    const grant = await signSessionGrant(f.client, { session, owner: f.owner })
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
    await f.client.setNextBlockTimestamp({ timestamp: BigInt(start + 5) })
    await f.client.mine({ blocks: 1 })
    await f.send(dapp, [f.transfer(tusd(10))])
    assert.equal((await period(session)).tokenSpent, tusd(10))
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), PeriodLimitExceededError)
  })

  it('describes and bounds a recurring allowance: per period × the periods of the session, or the lifetime limit', async () => {
    const start = await nextStart()
    const { session } = await f.define({
      start,
      end: start + 7 * day - 1,
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          recurring: { period: 'day', tokenAmount: tusd(10), maxUses: 5 },
        },
      ],
    })
    const exposure = getSessionExposure({ session })
    assert.equal(exposure.tokens[0].max, tusd(70), '7 days × 10 TUSD')
    // One second more and the session touches an eighth day: the worst case counts it.
    const longer = await f.define({
      start,
      end: start + 7 * day,
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          recurring: { period: 'day', tokenAmount: tusd(10) },
        },
      ],
    })
    assert.equal(getSessionExposure({ session: longer.session }).tokens[0].max, tusd(80))
    const { lines } = await describeSession(f.client, { session })
    const text = lines.join('\n')
    assert.match(text, /Renews every day, counted from .*: at most 10 TUSD per day, at most 5 calls per day/)
    assert.doesNotMatch(text, /No limit on the amount/)
    assert.match(text, /Worst case over its whole life: 70 TUSD/)
  })
})

describe('granting recurring limits', () => {
  it('refuses a malformed recurrence and a periodic token limit beside a method it cannot count', async () => {
    const start = await nextStart()
    const { session } = await f.define({ start })
    const config = (recurring: object, selectors: readonly Hex[] = ['0xa9059cbb']) => ({
      sessionKey: session.sessionKey,
      salt: session.salt,
      validAfter: session.validAfter,
      validUntil: session.validUntil,
      enabled: true,
      paymasters: [],
      gasBudget: 2n ** 256n - 1n,
      permissions: [
        {
          target: f.token,
          selectors,
          tokenLimit: 2n ** 256n - 1n,
          valueLimitPerCall: 0n,
          valueLimitTotal: 0n,
          maxUses: 2n ** 256n - 1n,
          flags: 0,
          rules: [],
          recurring: { start: 0, period: 0, tokenLimit: 0n, valueLimit: 0n, maxUses: 0n, ...recurring },
        },
      ],
    })
    const max = 2n ** 256n - 1n
    const cases: [object, string, readonly unknown[], (readonly Hex[])?][] = [
      [{ tokenLimit: 5n }, 'SessionRecurrenceInvalid', [f.token, 1n]],
      [{ period: 60, tokenLimit: 5n, valueLimit: max, maxUses: max }, 'SessionRecurrenceInvalid', [f.token, 2n]],
      [
        { period: 60, start, tokenLimit: max, valueLimit: max, maxUses: max },
        'SessionRecurrenceInvalid',
        [f.token, 3n],
      ],
      [
        { period: 60, start, tokenLimit: 2n ** 120n, valueLimit: max, maxUses: max },
        'SessionLimitTooLarge',
        [f.token, 2n ** 120n],
      ],
      [
        { period: 60, start, tokenLimit: max, valueLimit: max, maxUses: 2n ** 56n },
        'SessionLimitTooLarge',
        [f.token, 2n ** 56n],
      ],
      [
        { period: 60, start, tokenLimit: 5n, valueLimit: max, maxUses: max },
        'SessionTokenLimitUncountable',
        [f.token, '0x4000aea0'],
        ['0xa9059cbb', '0x4000aea0'],
      ],
    ]
    for (const [recurring, name, args, selectors] of cases) {
      await assertCreateRefused(f.client, session, config(recurring, selectors), name, args)
    }
    // The SDK refuses the same before anything is signed.
    await assert.rejects(
      f.define({
        permissions: [
          {
            whitelistDestination: f.token,
            whitelistMethods: ['transfer(address,uint256)', 'transferAndCall(address,uint256,bytes)'],
            recurring: { period: 'day', tokenAmount: 1n },
          },
        ],
      }),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'permissions[0].recurring.tokenAmount',
    )
    await assert.rejects(
      f.define({
        permissions: [
          {
            whitelistDestination: f.token,
            whitelistMethods: ['transfer(address,uint256)'],
            recurring: { period: 'day' },
          },
        ],
      }),
      (e: unknown) => e instanceof InvalidParameterError && /no recurring limit/.test(e.message),
    )
  })
})
