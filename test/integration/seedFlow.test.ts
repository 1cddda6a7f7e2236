import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { concat, encodeFunctionData, keccak256, sliceHex } from 'viem'
import { entryPoint07Address, getUserOperationHash } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'
import { sessionAccountAbi } from '../../src/abis.js'
import { testTargetAbi, testTokenAbi } from '../../src/devnet/index.js'
import {
  CallNotPermittedError,
  getRevokeAllSessionsCalls,
  getRevokeSessionCalls,
  getSessionStatus,
  getSetSessionEnabledCalls,
  getSpendingLimits,
  InvalidParameterError,
  InvalidSessionSignatureError,
  SessionDisabledError,
  SessionExpiredError,
  SessionNotFoundError,
  SessionNotYetValidError,
  SessionRevokedError,
  SpendingLimitExceededError,
  sessionKeyValidatorAbi,
  sessionKeyValidatorAddress,
  toSessionConfig,
  toSessionKeyAccount,
  UserOperationFailedError,
} from '../../src/index.js'
import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})
beforeEach(async () => {
  await f.reset()
})
after(() => {})

describe('the seed flow', () => {
  it('lets the session key send permitted transfers, and counts them against the limit', async () => {
    const { session, dapp } = await f.grant()
    await f.send(dapp, [f.transfer(tusd(400))])
    await f.send(dapp, [f.transfer(tusd(600))])
    assert.equal(await f.balanceOf(f.recipient), tusd(1000))
    const [limit] = await getSpendingLimits(f.client, { session })
    assert.deepEqual(limit, { target: f.token, limit: tusd(1000), spent: tusd(1000), remaining: 0n })
    assert.equal((await getSessionStatus(f.client, { session })).status, 'active')
  })

  it('installs the module and creates the session in one owner operation on a fresh account', async () => {
    // The fixture's account has the module; a new owner's account starts from nothing.
    const { privateKeyToAccount, generatePrivateKey } = await import('viem/accounts')
    const { toOwnerAccount, defineSession, generateSessionKey, getGrantSessionCalls } = await import(
      '../../src/index.js'
    )
    const owner = await toOwnerAccount({ client: f.client, owner: privateKeyToAccount(generatePrivateKey()) })
    await f.devnet.fund(owner.address, 10n ** 18n)
    const key = generateSessionKey()
    const now = await f.devnet.now()
    const session = defineSession({
      account: owner.address,
      chainId: f.devnet.chain.id,
      sessionKey: key.address,
      permissions: [{ whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'] }],
      validity: { endTimestamp: now + 60 },
      now,
    })
    const calls = await getGrantSessionCalls(f.client, { session })
    assert.equal(calls.length, 1)
    assert.equal(calls[0].to, owner.address, 'a lone installModule call on the account')
    await f.send(owner, calls)
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
    await f.send(dapp, [
      { to: f.target, data: encodeFunctionData({ abi: testTargetAbi, functionName: 'ping', args: [7n] }) },
    ])
    const calls2 = await f.client.readContract({
      address: f.target,
      abi: testTargetAbi,
      functionName: 'calls',
      args: [owner.address],
    })
    assert.equal(calls2, 1n)
  })
})

describe('validateUserOp: the rules', () => {
  it('rejects a transfer that would exceed the cumulative limit, with spent and limit', async () => {
    const { session, dapp } = await f.grant()
    await f.send(dapp, [f.transfer(tusd(900))])
    await assert.rejects(f.send(dapp, [f.transfer(tusd(101))]), (e: unknown) => {
      assert.ok(e instanceof SpendingLimitExceededError)
      assert.equal(e.spent, tusd(900))
      assert.equal(e.amount, tusd(101))
      assert.equal(e.limit, tusd(1000))
      return true
    })
    assert.equal(await f.spent(session), tusd(900), 'nothing counted for the rejected operation')
    assert.equal(await f.balanceOf(f.recipient), tusd(900))
    await f.send(dapp, [f.transfer(tusd(100))]) // exactly up to the limit is fine
  })

  it('rejects a method the session does not list (approve when only transfer is granted)', async () => {
    const { dapp } = await f.grant()
    const approve = encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [f.recipient, 1n] })
    await assert.rejects(f.send(dapp, [{ to: f.token, data: approve }]), (e: unknown) => {
      assert.ok(e instanceof CallNotPermittedError)
      assert.equal(e.rule, 'method')
      assert.equal(e.selector, '0x095ea7b3')
      return true
    })
  })

  it('rejects a call to a destination the session does not list', async () => {
    const { dapp } = await f.grant()
    await assert.rejects(f.send(dapp, [f.transfer(1n, f.recipient, f.otherToken)]), (e: unknown) => {
      assert.ok(e instanceof CallNotPermittedError)
      assert.equal(e.rule, 'destination')
      assert.equal(e.target, f.otherToken)
      return true
    })
    assert.equal(await f.balanceOf(f.recipient, f.otherToken), 0n)
  })

  it('allows non-token methods listed for a destination, and no others there', async () => {
    const { dapp } = await f.grant({
      permissions: [{ whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'] }],
    })
    const ping = encodeFunctionData({ abi: testTargetAbi, functionName: 'ping', args: [1n] })
    const poke = encodeFunctionData({ abi: testTargetAbi, functionName: 'poke' })
    await f.send(dapp, [{ to: f.target, data: ping }])
    await assert.rejects(
      f.send(dapp, [{ to: f.target, data: poke }]),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'method',
    )
  })

  it('rejects native value on a call (no value allowance)', async () => {
    const { dapp } = await f.grant({
      permissions: [{ whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'] }],
    })
    const ping = encodeFunctionData({ abi: testTargetAbi, functionName: 'ping', args: [1n] })
    await assert.rejects(
      f.send(dapp, [{ to: f.target, data: ping, value: 1n }]),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'value',
    )
  })

  it('counts approve, transferFrom and increaseAllowance against the same limit', async () => {
    const { session, dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: [
            'transfer(address,uint256)',
            'approve(address,uint256)',
            'transferFrom(address,address,uint256)',
            'increaseAllowance(address,uint256)',
          ],
          tokenAmount: tusd(1000),
        },
      ],
    })
    const approve = encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [f.recipient, tusd(300)] })
    await f.send(dapp, [{ to: f.token, data: approve }])
    assert.equal(await f.spent(session), tusd(300))
    const transferFrom = encodeFunctionData({
      abi: testTokenAbi,
      functionName: 'transferFrom',
      args: [f.account, f.recipient, tusd(300)],
    })
    // The account has no allowance from itself: the call reverts in execution, but the amount
    // was counted in validation (the safe side) and the operation is reported as failed.
    await assert.rejects(f.send(dapp, [{ to: f.token, data: transferFrom }]), UserOperationFailedError)
    assert.equal(await f.spent(session), tusd(600))
    await assert.rejects(f.send(dapp, [f.transfer(tusd(401))]), SpendingLimitExceededError)
  })

  it('sums a batch: each transfer fits, together they exceed the limit → the whole batch is rejected', async () => {
    const { session, dapp } = await f.grant()
    await assert.rejects(
      f.send(dapp, [f.transfer(tusd(400)), f.transfer(tusd(400)), f.transfer(tusd(400))]),
      (e: unknown) => e instanceof SpendingLimitExceededError && e.index === 2,
    )
    assert.equal(await f.spent(session), 0n)
    assert.equal(await f.balanceOf(f.recipient), 0n)
    await f.send(dapp, [f.transfer(tusd(400)), f.transfer(tusd(600))])
    assert.equal(await f.balanceOf(f.recipient), tusd(1000))
  })

  it('rejects a batch that mixes permitted and forbidden calls, and runs none of them', async () => {
    const { dapp } = await f.grant()
    await assert.rejects(
      f.send(dapp, [f.transfer(tusd(1)), f.transfer(1n, f.recipient, f.otherToken)]),
      (e: unknown) => e instanceof CallNotPermittedError && e.index === 1,
    )
    assert.equal(await f.balanceOf(f.recipient), 0n)
  })

  it('never lets a session call the account itself or the module', async () => {
    const { dapp } = await f.grant()
    const install = encodeFunctionData({
      abi: sessionAccountAbi,
      functionName: 'installModule',
      args: [1n, f.recipient, '0x'],
    })
    await assert.rejects(
      f.send(dapp, [
        {
          to: f.account,
          data: encodeFunctionData({
            abi: sessionAccountAbi,
            functionName: 'execute',
            args: [`0x${'00'.repeat(32)}` as `0x${string}`, '0x'],
          }),
        },
      ]),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'destination',
    )
    await assert.rejects(
      f.send(dapp, [f.transfer(1n), { to: f.account, data: install }]),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'destination' && e.index === 1,
    )
    const revokeAll = encodeFunctionData({ abi: sessionKeyValidatorAbi, functionName: 'revokeAllSessions' })
    await assert.rejects(
      f.send(dapp, [f.transfer(1n), { to: sessionKeyValidatorAddress, data: revokeAll }]),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'destination',
    )
  })
})

describe('validateUserOp: session state and time', () => {
  it('rejects a session created with enable: false until the owner enables it', async () => {
    const { session, dapp } = await f.grant({ enable: false })
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionDisabledError)
    assert.equal((await getSessionStatus(f.client, { session })).status, 'disabled')
    await f.send(f.ownerAccount, getSetSessionEnabledCalls({ session, enabled: true }))
    await f.send(dapp, [f.transfer(1n)])
    await f.send(f.ownerAccount, getSetSessionEnabledCalls({ session, enabled: false }))
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionDisabledError)
  })

  it('rejects a revoked session at once, and it cannot be created again', async () => {
    const { session, dapp } = await f.grant()
    await f.send(dapp, [f.transfer(1n)])
    await f.send(f.ownerAccount, getRevokeSessionCalls({ session }))
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionRevokedError)
    assert.equal((await getSessionStatus(f.client, { session })).status, 'revoked')
    const createAgain = encodeFunctionData({
      abi: sessionKeyValidatorAbi,
      functionName: 'createSession',
      args: [toSessionConfig(session)],
    })
    await assert.rejects(
      f.send(f.ownerAccount, [{ to: sessionKeyValidatorAddress, data: createAgain }]),
      UserOperationFailedError,
    )
  })

  it('revokes every session at once with revoke-all', async () => {
    const a = await f.grant()
    const b = await f.grant()
    await f.send(f.ownerAccount, getRevokeAllSessionsCalls())
    await assert.rejects(f.send(a.dapp, [f.transfer(1n)]), SessionRevokedError)
    await assert.rejects(f.send(b.dapp, [f.transfer(1n)]), SessionRevokedError)
    const c = await f.grant()
    await f.send(c.dapp, [f.transfer(1n)]) // sessions granted afterwards work
  })

  it('brings no session back to life when the module is uninstalled and installed again', async () => {
    const { dapp } = await f.grant()
    const uninstall = encodeFunctionData({
      abi: sessionAccountAbi,
      functionName: 'uninstallModule',
      args: [1n, sessionKeyValidatorAddress, '0x'],
    })
    const install = encodeFunctionData({
      abi: sessionAccountAbi,
      functionName: 'installModule',
      args: [1n, sessionKeyValidatorAddress, '0x'],
    })
    await f.send(f.ownerAccount, [{ to: f.account, data: uninstall }])
    await f.send(f.ownerAccount, [{ to: f.account, data: install }])
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionRevokedError)
  })

  it('is refused by the EntryPoint before its start and after its end', async () => {
    const now = await f.devnet.now()
    const { session, dapp } = await f.grant({ start: now + 600, end: now + 1200 })
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionNotYetValidError)
    assert.equal((await getSessionStatus(f.client, { session })).status, 'not-yet-valid')
    await f.devnet.increaseTime(700)
    await f.send(dapp, [f.transfer(1n)])
    await f.devnet.increaseTime(600)
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionExpiredError)
    assert.equal((await getSessionStatus(f.client, { session })).status, 'expired')
  })

  it('rejects an operation signed by a key that is not the session key', async () => {
    const { session } = await f.grant()
    const { generateSessionKey } = await import('../../src/index.js')
    const impostor = generateSessionKey()
    // Same session, another key: the SDK refuses to build it...
    await assert.rejects(
      toSessionKeyAccount({ client: f.client, session, sessionKey: impostor.privateKey }),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'sessionKey',
    )
    // ...and the chain refuses it if built by hand.
    const { dapp } = await f.grant()
    const forged = await toSessionKeyAccount({
      client: f.client,
      session: {
        ...session,
        sessionKey: impostor.address,
        id: (await import('../../src/index.js')).getSessionId(impostor.address, session.salt),
      },
      sessionKey: impostor.privateKey,
    })
    // A session id that was never granted: the module says so.
    await assert.rejects(f.send(forged, [f.transfer(1n)]), SessionNotFoundError)
    // The granted session, signed by another key: a signature failure.
    const impostorSigner = privateKeyToAccount(impostor.privateKey)
    await assert.rejects(
      f.sendRaw(dapp, {
        callData: await dapp.encodeCalls([f.transfer(1n)]),
        signature: async (signed, userOperation) => {
          const hash = getUserOperationHash({
            userOperation: { ...userOperation, signature: '0x' },
            entryPointAddress: entryPoint07Address,
            entryPointVersion: '0.7',
            chainId: f.devnet.chain.id,
          })
          const rsv = await impostorSigner.sign({ hash: keccak256(concat([hash, dapp.session.id])) })
          return concat([sliceHex(signed, 0, 53), rsv])
        },
      }),
      InvalidSessionSignatureError,
    )
    await f.send(dapp, [f.transfer(1n)])
  })
})
