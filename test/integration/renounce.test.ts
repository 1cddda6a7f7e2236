/** A session key ends its own session: only its signature counts, for this account, and nothing else changes. */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import type { Address, Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  getRenounceSessionCalls,
  getSessionStatus,
  InvalidParameterError,
  type Session,
  SessionRevokedError,
  sessionKeyValidatorAbi,
  signSessionGrant,
  signSessionRenouncement,
  toSessionKeyAccount,
} from '../../src/index.js'
import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'
import { moduleRevert } from '../helpers/revert.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})
beforeEach(async () => {
  await f.reset()
})

/** Sends the module call from the devnet's own EOA (anyone may relay a renouncement); a revert is decoded. */
async function relay(session: Session, signature: Hex, account: Address = session.account) {
  const { request } = await f.client.simulateContract({
    address: session.module,
    abi: sessionKeyValidatorAbi,
    functionName: 'renounceSession',
    args: [account, session.sessionKey, session.salt, signature],
  })
  return f.client.waitForTransactionReceipt({ hash: await f.client.writeContract(request) })
}

describe('renounceSession', () => {
  it('the key ends its session; the chain then refuses it, and nothing moves', async () => {
    const { session, key, dapp } = await f.grant()
    await f.send(dapp, [f.transfer(tusd(10))])
    const signature = await signSessionRenouncement({ session, sessionKey: key.privateKey })
    const [call] = getRenounceSessionCalls({ session, signature })
    await f.client.waitForTransactionReceipt({ hash: await f.client.sendTransaction({ to: call.to, data: call.data }) })
    assert.equal((await getSessionStatus(f.client, { session })).status, 'revoked')
    await assert.rejects(f.send(dapp, [f.transfer(tusd(10))]), SessionRevokedError)
    assert.equal(await f.balanceOf(f.recipient), tusd(10))
    assert.equal(await f.spent(session), tusd(10))
    // Replayed: refused, nothing revived.
    await assert.rejects(relay(session, signature), (e) => moduleRevert(e).name === 'SessionRevoked')
  })

  it('another key, or the key signing for another account, cannot end it', async () => {
    const { session, key, dapp } = await f.grant()
    const stranger = generatePrivateKey()
    const forged = await privateKeyToAccount(stranger).sign({
      hash: await f.client.readContract({
        address: session.module,
        abi: sessionKeyValidatorAbi,
        functionName: 'getRenouncementDigest',
        args: [session.account, session.id],
      }),
    })
    await assert.rejects(relay(session, forged), (e) => moduleRevert(e).name === 'SessionRenouncementInvalid')
    // The key's renouncement of the same id on another account does not apply here.
    const elsewhere = await signSessionRenouncement({
      session: { ...session, account: f.recipient },
      sessionKey: key.privateKey,
    })
    await assert.rejects(relay(session, elsewhere), (e) => moduleRevert(e).name === 'SessionRenouncementInvalid')
    assert.equal((await getSessionStatus(f.client, { session })).status, 'active')
    await f.send(dapp, [f.transfer(tusd(10))])
    assert.equal(await f.balanceOf(f.recipient), tusd(10))
    // The SDK refuses to sign with another key.
    await assert.rejects(
      signSessionRenouncement({ session, sessionKey: stranger }),
      (e) => e instanceof InvalidParameterError && e.field === 'sessionKey',
    )
  })

  it('a session not created yet can never be created from its grant', async () => {
    const { session, key } = await f.define()
    await f.grant() // the module is installed
    const grant = await signSessionGrant(f.client, { session, owner: f.owner })
    await relay(session, await signSessionRenouncement({ session, sessionKey: key.privateKey }))
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
    await assert.rejects(f.send(dapp, [f.transfer(tusd(10))]), SessionRevokedError)
    assert.equal(await f.balanceOf(f.recipient), 0n)
    assert.equal((await getSessionStatus(f.client, { session })).status, 'revoked')
  })
})
