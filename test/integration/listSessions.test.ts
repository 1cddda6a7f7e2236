/** An account's sessions, listed from the chain alone: events, state, and terms read back from calldata. */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { type Address, encodeFunctionData, zeroAddress } from 'viem'
import { testTokenAbi } from '../../src/devnet/index.js'
import {
  getRevokeSessionCalls,
  InvalidParameterError,
  listSessions,
  sessionKeyActions,
  sessionKeyValidatorAbi,
  sessionKeyValidatorAddress,
  signSessionGrant,
  toSessionConfig,
  toSessionKeyAccount,
} from '../../src/index.js'
import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})
beforeEach(async () => {
  await f.reset()
})

describe('listSessions', () => {
  it('lists sessions granted on chain, off chain and by a direct call, with their state, terms and counters', async () => {
    const now = await f.devnet.now()
    // On chain (owner operation), then revoked.
    const revoked = await f.grant()
    await f.send(revoked.dapp, [f.transfer(tusd(3))])
    await f.send(f.ownerAccount, getRevokeSessionCalls({ session: revoked.session }))
    // Off chain: created by its first operation, with a recurring allowance and a rule.
    const offchain = await f.define({
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          tokenAmount: tusd(500),
          recurring: { period: 'day', tokenAmount: tusd(20) },
          rules: [{ method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: f.recipient }],
        },
        { whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'], maxUses: 4 },
      ],
    })
    const grant = await signSessionGrant(f.client, { session: offchain.session, owner: f.owner })
    const grantDapp = await toSessionKeyAccount({
      client: f.client,
      session: offchain.session,
      sessionKey: offchain.key.privateKey,
      grant,
    })
    await f.send(grantDapp, [f.transfer(tusd(7))])
    // By a direct call of the account to the module (as an account other than ours may do).
    const direct = await f.define({ end: now + 60 })
    await f.client.impersonateAccount({ address: f.account })
    await f.client.waitForTransactionReceipt({
      hash: await f.client.sendTransaction({
        account: f.account,
        chain: f.client.chain,
        to: sessionKeyValidatorAddress,
        data: encodeFunctionData({
          abi: sessionKeyValidatorAbi,
          functionName: 'createSession',
          args: [toSessionConfig(direct.session)],
        }),
      }),
    })
    await f.client.stopImpersonatingAccount({ address: f.account })
    await f.devnet.increaseTime(120) // the direct one has ended

    const listed = await listSessions(f.client, { account: f.account })
    assert.deepEqual(
      listed.map((s) => [s.id, s.status]),
      [
        [revoked.session.id, 'revoked'],
        [offchain.session.id, 'active'],
        [direct.session.id, 'expired'],
      ],
    )
    // The terms read back are exactly those granted (the struct the module stored).
    for (const [i, original] of [revoked.session, offchain.session, direct.session].entries()) {
      const recovered = listed[i].session
      assert.ok(recovered, `terms of session ${i} read back`)
      assert.deepEqual(toSessionConfig(recovered), toSessionConfig(original))
      assert.equal(listed[i].sessionKey, original.sessionKey)
      assert.equal(listed[i].validUntil, original.validUntil)
    }
    // What is left: lifetime and period counters, as the chain counted them.
    const counted = listed[1].usage?.targets[f.token]
    assert.equal(counted?.tokenSpent, tusd(7))
    assert.equal(counted?.period?.tokenSpent, tusd(7))
    assert.equal(listed[0].usage?.targets[f.token]?.tokenSpent, tusd(3))
    assert.equal(listed[0].usage?.revoked, true)
    // Through the decorator too, and another account has none.
    const client = f.client.extend(sessionKeyActions())
    assert.equal((await client.listSessions({ account: f.account })).length, 3)
    assert.deepEqual(await listSessions(f.client, { account: f.recipient }), [])
  })

  it('counts an any-destination session on each destination its operations called', async () => {
    const router = '0x000000000000000000000000000000000000bEEF' as Address
    const approveMethod = 'approve(address spender, uint256 amount)'
    const approve = (token: Address, amount: bigint) => ({
      to: token,
      data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [router, amount] }),
    })
    // Approve on any token (to the router only, at most 100 of each), and transfers on the token.
    const any = await f.grant({
      permissions: [
        { whitelistDestination: f.token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tusd(50) },
        {
          whitelistDestination: 'any',
          whitelistMethods: [approveMethod],
          tokenAmount: tusd(100),
          rules: [{ method: approveMethod, arg: 'spender', condition: 'eq', value: router }],
        },
      ],
    })
    await f.send(any.dapp, [approve(f.otherToken, tusd(30))])
    await f.send(any.dapp, [f.transfer(tusd(4)), approve(f.otherToken, tusd(5))])
    // Another session of the account, listed destinations only, also used.
    const plain = await f.grant()
    await f.send(plain.dapp, [f.transfer(tusd(2))])

    const listed = await listSessions(f.client, { account: f.account })
    assert.deepEqual(
      listed.map((s) => s.id),
      [any.session.id, plain.session.id],
    )
    const counted = listed[0].usage?.targets
    // The permissions' own destinations (the token, and the zero address the any-destination
    // permission's rule totals are kept under), then the one its operations reached.
    assert.deepEqual(Object.keys(counted ?? {}), [f.token, zeroAddress, f.otherToken])
    assert.equal(counted?.[f.otherToken]?.tokenSpent, tusd(35), 'counted on the unlisted token it approved on')
    assert.equal(counted?.[f.token]?.tokenSpent, tusd(4))
    // Each is what the module keeps for that destination.
    const [, onChain] = await f.client.readContract({
      address: sessionKeyValidatorAddress,
      abi: sessionKeyValidatorAbi,
      functionName: 'getTokenLimit',
      args: [f.account, any.session.id, f.otherToken],
    })
    assert.equal(onChain, tusd(35))
    assert.deepEqual(Object.keys(listed[1].usage?.targets ?? {}), [f.token])
    assert.equal(listed[1].usage?.targets[f.token]?.tokenSpent, tusd(2))
  })

  it('refuses a malformed account with a typed error', async () => {
    await assert.rejects(
      listSessions(f.client, { account: '0x1234' as never }),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'account',
    )
  })
})
