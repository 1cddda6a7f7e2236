/** An account's sessions, listed from the chain alone: events, state, and terms read back from calldata. */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { encodeFunctionData } from 'viem'
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

  it('refuses a malformed account with a typed error', async () => {
    await assert.rejects(
      listSessions(f.client, { account: '0x1234' as never }),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'account',
    )
  })
})
