/**
 * A session's key rotated (counters kept, the old key refused) and a session replaced
 * atomically (refused when the old key spent since the owner looked). Every refusal is read
 * back from the chain: balances, the module's counters, the EntryPoint nonce.
 */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { decodeErrorResult, decodeFunctionData, encodeFunctionData, type Hex, zeroAddress } from 'viem'
import { deployTestTarget, testTargetAbi, testTokenAbi } from '../../src/devnet/index.js'
import {
  describeSession,
  deserializeSession,
  generateSessionKey,
  getRenounceSessionCalls,
  getReplaceSessionCalls,
  getRotateSessionKeyCalls,
  getSessionStatus,
  getSigningKey,
  InvalidParameterError,
  InvalidSessionSignatureError,
  listSessions,
  type Session,
  SessionRevokedError,
  SpendingLimitExceededError,
  serializeSession,
  sessionKeyValidatorAbi,
  signSessionGrant,
  signSessionRenouncement,
  toSessionKeyAccount,
  UserOperationFailedError,
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

/** What a refusal must leave unchanged. */
async function state(session: Session) {
  return {
    nonce: await f.sessionNonce(session),
    account: await f.balanceOf(session.account),
    recipient: await f.balanceOf(f.recipient),
    spent: await f.spent(session),
  }
}

/** The owner's operation, straight to the chain; a module revert is decoded by the caller. */
const ownerSends = (calls: Parameters<Fixture['send']>[1]) => f.send(f.ownerAccount, calls)

/** The module error an owner's operation reverted with (the account's batch bubbles it up). */
function ownerRevert(error: unknown) {
  assert.ok(error instanceof UserOperationFailedError, String(error))
  const data = error.revertData
  assert.ok(data, 'the revert reason is in the UserOperationRevertReason event')
  return decodeErrorResult({ abi: sessionKeyValidatorAbi, data })
}

/** `rotateSessionKey(id, key)` called by `from`, simulated (a revert is decoded by the caller). */
const rotate = (from: Hex, id: Hex, key: Hex, module: Hex) =>
  f.client.call({
    account: from,
    to: module,
    data: encodeFunctionData({ abi: sessionKeyValidatorAbi, functionName: 'rotateSessionKey', args: [id, key] }),
  })

const onChainKey = (session: Session) =>
  f.client.readContract({
    address: session.module,
    abi: sessionKeyValidatorAbi,
    functionName: 'getSessionKey',
    args: [session.account, session.id],
  })

describe('rotating a session key', () => {
  it('keeps the counters: the new key spends what is left and no more; the old key is refused', async () => {
    const { session, dapp } = await f.grant({
      permissions: [
        { whitelistDestination: f.token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tusd(10) },
      ],
    })
    await f.send(dapp, [f.transfer(tusd(4))])
    const next = generateSessionKey()
    const { calls, session: rotated } = getRotateSessionKeyCalls({ session, newSessionKey: next.address })
    assert.equal(rotated.id, session.id)
    assert.equal(getSigningKey(rotated), next.address)
    await ownerSends(calls)
    assert.deepEqual(await onChainKey(session), [true, next.address])
    // Listed from chain alone, the session comes back with the key that signs now.
    const listed = (await listSessions(f.client, { account: session.account })).find((s) => s.id === session.id)
    assert.equal(listed?.sessionKey, session.sessionKey)
    assert.equal(listed?.session?.rotatedKey, next.address)

    // The old key, with the session as it was granted: a bad signature, nothing moves.
    const before = await state(session)
    await assert.rejects(f.send(dapp, [f.transfer(tusd(1))]), InvalidSessionSignatureError)
    assert.deepEqual(await state(session), before, 'nothing moved, nothing counted, nonce unchanged')
    // The pre-flight check says so before anything is sent, naming the key that signs now.
    await assert.rejects(
      f.sendChecked(dapp, [f.transfer(tusd(1))]),
      (e) => e instanceof InvalidSessionSignatureError && e.signingKey === next.address,
    )

    // The new key: 6 TUSD left of the 10, not a fresh 10.
    const moved = await toSessionKeyAccount({ client: f.client, session: rotated, sessionKey: next.privateKey })
    await f.sendChecked(moved, [f.transfer(tusd(6))])
    assert.equal(await f.spent(session), tusd(10))
    const full = await state(session)
    await assert.rejects(f.send(moved, [f.transfer(1n)]), SpendingLimitExceededError)
    assert.deepEqual(await state(session), full)
    assert.equal(await f.balanceOf(f.recipient), tusd(10))
  })

  it('moves the renouncement with it: the old key cannot end the session, the new one can', async () => {
    const { session, key } = await f.grant()
    const next = generateSessionKey()
    const { calls, session: rotated } = getRotateSessionKeyCalls({ session, newSessionKey: next.address })
    await ownerSends(calls)
    // The old key's renouncement is refused by the module (relayed by anyone).
    const stale = await signSessionRenouncement({ session, sessionKey: key.privateKey })
    const [staleCall] = getRenounceSessionCalls({ session, signature: stale })
    await assert.rejects(
      f.client.call({ account: f.client.account, to: staleCall.to, data: staleCall.data }),
      (e) => moduleRevert(e).name === 'SessionRenouncementInvalid',
    )
    assert.equal((await getSessionStatus(f.client, { session })).status, 'active')
    // The SDK refuses to sign the rotated session's renouncement with the old key.
    await assert.rejects(
      signSessionRenouncement({ session: rotated, sessionKey: key.privateKey }),
      (e) => e instanceof InvalidParameterError && e.field === 'sessionKey',
    )
    const signature = await signSessionRenouncement({ session: rotated, sessionKey: next.privateKey })
    const [call] = getRenounceSessionCalls({ session: rotated, signature })
    await f.client.waitForTransactionReceipt({ hash: await f.client.sendTransaction({ to: call.to, data: call.data }) })
    assert.equal((await getSessionStatus(f.client, { session })).status, 'revoked')
  })

  it('refuses a revoked or unknown session and the zero key, with the exact error', async () => {
    const { session } = await f.grant()
    const fresh = generateSessionKey().address
    const { account, module, id } = session
    await assert.rejects(rotate(account, id, zeroAddress, module), (e) => moduleRevert(e).name === 'SessionKeyInvalid')
    await assert.rejects(
      rotate(account, `0x${'11'.repeat(32)}`, fresh, module),
      (e) => moduleRevert(e).name === 'SessionNotFound',
    )
    // Another account cannot rotate this account's session: for it, the session does not exist.
    await assert.rejects(rotate(f.recipient, id, fresh, module), (e) => moduleRevert(e).name === 'SessionNotFound')
    await ownerSends([
      {
        to: module,
        data: encodeFunctionData({ abi: sessionKeyValidatorAbi, functionName: 'revokeSession', args: [id] }),
      },
    ])
    await assert.rejects(rotate(account, id, fresh, module), (e) => moduleRevert(e).name === 'SessionRevoked')
    assert.deepEqual(await onChainKey(session), [false, zeroAddress])
  })

  it('the SDK: refuses the current key, the account or the module as the new key; carries the key through storage', async () => {
    const { session, key } = await f.define()
    assert.throws(
      () => getRotateSessionKeyCalls({ session, newSessionKey: session.sessionKey }),
      (e) => e instanceof InvalidParameterError && e.field === 'newSessionKey',
    )
    for (const bad of [session.account, session.module]) {
      assert.throws(
        () => getRotateSessionKeyCalls({ session, newSessionKey: bad }),
        (e) => e instanceof InvalidParameterError && e.field === 'newSessionKey.rotatedKey',
      )
    }
    const next = generateSessionKey()
    const { session: rotated } = getRotateSessionKeyCalls({ session, newSessionKey: next.address })
    // A stored rotated session restores with the new key's private key only.
    const json = serializeSession({ session: rotated, privateKey: next.privateKey })
    assert.equal(deserializeSession(json).session.rotatedKey, next.address)
    assert.throws(
      () =>
        deserializeSession(serializeSession({ session: rotated }).replace('}', `,"privateKey":"${key.privateKey}"}`)),
      InvalidParameterError,
    )
    // A dapp cannot get a grant for a "rotated" session: the grant would give sessionKey, not the key shown.
    await assert.rejects(
      signSessionGrant(f.client, { session: rotated, owner: f.owner }),
      (e) => e instanceof InvalidParameterError && e.field === 'session.rotatedKey',
    )
    const { text } = await describeSession(f.client, { session: rotated })
    assert.match(text, new RegExp(`${next.address} \\(rotated from ${session.sessionKey}\\)`))
  })
})

describe('replacing a session atomically', () => {
  it('revokes the old session and creates the new one in one owner operation', async () => {
    const { session, dapp } = await f.grant()
    await f.send(dapp, [f.transfer(tusd(5))])
    const { session: replacement, key } = await f.define({
      permissions: [
        { whitelistDestination: f.token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tusd(50) },
      ],
    })
    const { calls } = await getReplaceSessionCalls(f.client, { session, replacement })
    await ownerSends(calls)
    assert.equal((await getSessionStatus(f.client, { session })).status, 'revoked')
    assert.equal((await getSessionStatus(f.client, { session: replacement })).status, 'active')
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionRevokedError)
    const next = await toSessionKeyAccount({ client: f.client, session: replacement, sessionKey: key.privateKey })
    await f.send(next, [f.transfer(tusd(50))])
    assert.equal(await f.balanceOf(f.recipient), tusd(55))
  })

  it('fails as a whole when the old key spent after the owner looked: nothing revoked, nothing created', async () => {
    const { session, dapp } = await f.grant()
    const { session: replacement } = await f.define()
    const { calls } = await getReplaceSessionCalls(f.client, { session, replacement })
    // The dapp spends between the owner's look and the operation's inclusion.
    await f.send(dapp, [f.transfer(tusd(7))])
    const { args } = decodeFunctionData({ abi: sessionKeyValidatorAbi, data: calls[0].data as Hex })
    await assert.rejects(ownerSends(calls), (e) => {
      const revert = ownerRevert(e)
      assert.equal(revert.errorName, 'SessionUsageChanged')
      assert.deepEqual(revert.args.slice(0, 2), [session.id, args?.[2]])
      return true
    })
    assert.equal((await getSessionStatus(f.client, { session })).status, 'active')
    assert.equal((await getSessionStatus(f.client, { session: replacement })).status, 'not-found')
    assert.equal(await f.spent(session), tusd(7))
    // Looked at again, the replacement goes through.
    const again = await getReplaceSessionCalls(f.client, { session, replacement })
    await ownerSends(again.calls)
    assert.equal((await getSessionStatus(f.client, { session })).status, 'revoked')
  })

  it('without a gas budget, still sees an operation that moved only a sum or a counter on an unlisted token', async () => {
    // 'unlimited': no gas left to move. The old key's operations below touch no record the
    // owner's look listed: a sum kept in the method's record, and an any-destination counter
    // kept in the record of a token the session does not name. The module counts every
    // operation of such a session in its state, so the replacement still refuses.
    const target = await deployTestTarget(f.client)
    const ping = 'ping(uint256 number)'
    const approve = 'approve(address spender, uint256 amount)'
    const router = '0x000000000000000000000000000000000000bEEF'
    const { session, dapp } = await f.grant({
      gasBudget: 'unlimited',
      permissions: [
        {
          whitelistDestination: target,
          whitelistMethods: [ping],
          rules: [{ method: ping, arg: 'number', condition: 'sumLte', value: 10n }],
        },
        {
          whitelistDestination: 'any',
          whitelistMethods: [approve],
          tokenAmount: tusd(20),
          rules: [{ method: approve, arg: 'spender', condition: 'eq', value: router }],
        },
      ],
    })
    const { session: replacement } = await f.define()
    const moves = [
      { to: target, data: encodeFunctionData({ abi: testTargetAbi, functionName: 'ping', args: [4n] }) },
      {
        to: f.token,
        data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [router, tusd(3)] }),
      },
    ]
    for (const move of moves) {
      const { calls } = await getReplaceSessionCalls(f.client, { session, replacement })
      await f.send(dapp, [move])
      await assert.rejects(ownerSends(calls), (e) => ownerRevert(e).errorName === 'SessionUsageChanged')
      assert.equal((await getSessionStatus(f.client, { session })).status, 'active')
      assert.equal((await getSessionStatus(f.client, { session: replacement })).status, 'not-found')
    }
    const allowance = await f.client.readContract({
      address: f.token,
      abi: testTokenAbi,
      functionName: 'allowance',
      args: [f.account, router],
    })
    assert.equal(allowance, tusd(3), 'both moves went through')
    const pinged = await f.client.readContract({
      address: target,
      abi: testTargetAbi,
      functionName: 'calls',
      args: [f.account],
    })
    assert.equal(pinged, 1n)
  })

  it('the SDK refuses a replacement for another account or the same session', async () => {
    const { session } = await f.grant()
    await assert.rejects(
      getReplaceSessionCalls(f.client, { session, replacement: session }),
      (e) => e instanceof InvalidParameterError && e.field === 'replacement.id',
    )
    const { session: other } = await f.define()
    await assert.rejects(
      getReplaceSessionCalls(f.client, { session, replacement: { ...other, account: f.recipient } }),
      (e) => e instanceof InvalidParameterError && e.field === 'replacement.account',
    )
  })
})
