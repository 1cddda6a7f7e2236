/**
 * Attacks from shared/ATTACKS.md (numbered as there), each asserting the specific rejection
 * and that nothing changed: balances and spent counters are read back after the attempt.
 */

import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import {
  type Address,
  concat,
  encodeAbiParameters,
  encodeFunctionData,
  encodePacked,
  type Hex,
  hexToBigInt,
  numberToHex,
  pad,
  size,
  sliceHex,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { sessionAccountAbi } from '../../src/abis.js'
import { testTokenAbi } from '../../src/devnet/index.js'
import {
  CallNotPermittedError,
  defineSession,
  getGrantSessionCalls,
  getRevokeSessionCalls,
  InvalidSessionSignatureError,
  modeBatch,
  modeSingle,
  SessionDisabledError,
  SessionExpiredError,
  SessionKeyCannotSignMessagesError,
  SessionNotYetValidError,
  SessionRevokedError,
  SpendingLimitExceededError,
  sessionKeyValidatorAbi,
  sessionKeyValidatorAddress,
  toOwnerAccount,
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

const executeSelector = '0xe9ae5c53'
const transferData = (to: Address, amount: bigint) =>
  encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [to, amount] })
const single = (target: Address, data: Hex, value = 0n) =>
  encodePacked(['address', 'uint256', 'bytes'], [target, value, data])
const batchOf = (target: Address, data: Hex) =>
  encodeAbiParameters(
    [{ type: 'tuple[]', components: [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes' }] }],
    [[[target, 0n, data]]],
  )
/** execute(mode, executionCalldata) encoded by hand, so that each word can be bent. */
const execute = (mode: Hex, executionCalldata: Hex, offset = 0x40n, trailing: Hex = '0x') => {
  const length = BigInt(size(executionCalldata))
  const padded = concat([executionCalldata, `0x${'00'.repeat((32 - (Number(length) % 32)) % 32)}`])
  return concat([executeSelector, mode, pad(numberToHex(offset)), pad(numberToHex(length)), padded, trailing])
}

const isRule = (rule: string, index?: number) => (e: unknown) =>
  e instanceof CallNotPermittedError && e.rule === rule && (index === undefined || e.index === index)

async function nothingMoved(session: { id: Hex }) {
  assert.equal(await f.balanceOf(f.recipient), 0n, 'the recipient received nothing')
  assert.equal(await f.spent(session as never), 0n, 'nothing was counted')
}

describe('calldata and execution path', () => {
  it('attack 1: an execute whose offset points elsewhere is rejected (the policy never reads another call)', async () => {
    const { session, dapp } = await f.grant()
    const decoy = single(f.token, transferData(f.recipient, 1n))
    const real = single(f.token, transferData(f.recipient, tusd(5000)))
    // Offset 0x40 would read the decoy; the account (like any ABI decoder) follows the offset.
    const length = BigInt(size(decoy))
    const decoyPadded = concat([decoy, `0x${'00'.repeat((32 - (Number(length) % 32)) % 32)}`])
    const crafted = concat([
      executeSelector,
      modeSingle,
      pad(numberToHex(0x40n + 32n + BigInt(size(decoyPadded)))),
      pad(numberToHex(length)),
      decoyPadded,
      pad(numberToHex(BigInt(size(real)))),
      real,
      `0x${'00'.repeat((32 - (size(real) % 32)) % 32)}`,
    ])
    await assert.rejects(f.sendRaw(dapp, { callData: crafted }), isRule('calldata'))
    await nothingMoved(session)
  })

  it('attack 1: trailing bytes after the execution are rejected', async () => {
    const { session, dapp } = await f.grant()
    const callData = execute(modeSingle, single(f.token, transferData(f.recipient, 1n)), 0x40n, pad('0x01'))
    await assert.rejects(f.sendRaw(dapp, { callData }), isRule('calldata'))
    await nothingMoved(session)
  })

  it('attack 1: a batch with a non-canonical element offset is rejected', async () => {
    const { session, dapp } = await f.grant()
    const good = encodeAbiParameters(
      [{ type: 'tuple[]', components: [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes' }] }],
      [[[f.token, 0n, transferData(f.recipient, 1n)]]],
    )
    // Element offset 0x20 → 0x40 (points into the element, one word later).
    const bent = concat([sliceHex(good, 0, 64), pad(numberToHex(0x40n)), sliceHex(good, 96)])
    await assert.rejects(f.sendRaw(dapp, { callData: execute(modeBatch, bent) }), isRule('calldata'))
    await nothingMoved(session)
  })

  it('attack 2: a transfer with short calldata (no amount word) is rejected, never read past the end', async () => {
    const { session, dapp } = await f.grant()
    const short = sliceHex(transferData(f.recipient, 1n), 0, 36)
    await assert.rejects(f.sendRaw(dapp, { callData: execute(modeSingle, single(f.token, short)) }), isRule('calldata'))
    const long = concat([transferData(f.recipient, 1n), pad('0x01')])
    await assert.rejects(f.sendRaw(dapp, { callData: execute(modeSingle, single(f.token, long)) }), isRule('calldata'))
    await nothingMoved(session)
  })

  it('attack 2: a recipient word with dirty upper bits is rejected', async () => {
    const { session, dapp } = await f.grant()
    const data = transferData(f.recipient, 1n)
    const dirty = concat([sliceHex(data, 0, 4), '0x01', sliceHex(data, 5)])
    await assert.rejects(f.sendRaw(dapp, { callData: execute(modeSingle, single(f.token, dirty)) }), isRule('calldata'))
    await nothingMoved(session)
  })

  it('attack 2: a length word pointing outside the buffer is rejected', async () => {
    const { session, dapp } = await f.grant()
    const exec = single(f.token, transferData(f.recipient, 1n))
    const callData = concat([
      executeSelector,
      modeSingle,
      pad(numberToHex(0x40n)),
      pad(numberToHex(10_000n)),
      exec,
      `0x${'00'.repeat((32 - (size(exec) % 32)) % 32)}`,
    ])
    await assert.rejects(f.sendRaw(dapp, { callData }), isRule('calldata'))
    await nothingMoved(session)
  })

  it('attack 4: a permitted call wrapped under another outer selector of the account is rejected', async () => {
    const { session, dapp } = await f.grant()
    const installModule = encodeFunctionData({
      abi: sessionAccountAbi,
      functionName: 'installModule',
      args: [2n, f.recipient, transferData(f.recipient, 1n)],
    })
    await assert.rejects(f.sendRaw(dapp, { callData: installModule }), isRule('calldata'))
    const fromExecutor = encodeFunctionData({
      abi: sessionAccountAbi,
      functionName: 'executeFromExecutor',
      args: [modeSingle, single(f.token, transferData(f.recipient, 1n))],
    })
    await assert.rejects(f.sendRaw(dapp, { callData: fromExecutor }), isRule('calldata'))
    await nothingMoved(session)
  })

  it('attack 5: the same call as delegatecall, or in try-mode, is rejected', async () => {
    const { session, dapp } = await f.grant()
    const delegate = `0xff${'00'.repeat(31)}` as Hex
    const tryMode = `0x0001${'00'.repeat(30)}` as Hex
    const batchTry = `0x0101${'00'.repeat(30)}` as Hex
    const dirtyPayload = `0x00${'00'.repeat(30)}01` as Hex
    for (const mode of [delegate, tryMode, batchTry]) {
      const exec =
        mode === batchTry
          ? batchOf(f.token, transferData(f.recipient, 1n))
          : single(f.token, transferData(f.recipient, 1n))
      await assert.rejects(f.sendRaw(dapp, { callData: execute(mode, exec) }), isRule('call-type'), `mode ${mode}`)
    }
    // Any other mode byte set (selector, payload) is refused whatever the permission says.
    await assert.rejects(
      f.sendRaw(dapp, { callData: execute(dirtyPayload, single(f.token, transferData(f.recipient, 1n))) }),
      isRule('execution-mode'),
    )
    await nothingMoved(session)
  })

  it('attack 6: a batch that mixes permitted and forbidden calls is rejected as a whole', async () => {
    const { session, dapp } = await f.grant()
    await assert.rejects(
      f.send(dapp, [f.transfer(tusd(1)), f.transfer(tusd(1)), f.transfer(1n, f.recipient, f.otherToken)]),
      isRule('destination', 2),
    )
    await nothingMoved(session)
  })

  it('attack 7: a call to the account itself (also as target 0, which the account maps to itself) or the module is rejected', async () => {
    const { session, dapp } = await f.grant()
    const zero = `0x${'00'.repeat(20)}` as Address
    for (const target of [f.account, zero, sessionKeyValidatorAddress]) {
      await assert.rejects(
        f.sendRaw(dapp, { callData: execute(modeSingle, single(target, transferData(f.recipient, 1n))) }),
        isRule('destination'),
        target,
      )
    }
    await nothingMoved(session)
  })

  it('attack 8: native value with a call whose permission gives no value allowance is rejected', async () => {
    const { session, dapp } = await f.grant()
    await assert.rejects(
      f.sendRaw(dapp, { callData: execute(modeSingle, single(f.token, transferData(f.recipient, 1n), 1n)) }),
      isRule('value'),
    )
    await nothingMoved(session)
  })
})

describe('spending limits', () => {
  it('attack 9: the maximum transfer repeated over many operations → the cumulative limit holds', async () => {
    const { session, dapp } = await f.grant()
    for (let i = 0; i < 4; i++) await f.send(dapp, [f.transfer(tusd(250))])
    await assert.rejects(f.send(dapp, [f.transfer(1n)]))
    assert.equal(await f.spent(session), tusd(1000))
    assert.equal(await f.balanceOf(f.recipient), tusd(1000))
  })

  it('attack 12: a new session after a revocation starts from its own limits; the old counters never return', async () => {
    const first = await f.grant()
    await f.send(first.dapp, [f.transfer(tusd(1000))])
    await f.send(f.ownerAccount, getRevokeSessionCalls({ session: first.session }))
    const second = await f.grant()
    assert.notEqual(second.session.id, first.session.id)
    assert.equal(await f.spent(second.session), 0n)
    await f.send(second.dapp, [f.transfer(tusd(1000))])
    assert.equal(await f.spent(first.session), tusd(1000))
  })
})

describe('spending limits (more)', () => {
  it('attack 10: approve to a third party, then transferFrom by it → the approvals count against the limit', async () => {
    const { session, dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)', 'approve(address,uint256)'],
          tokenAmount: tusd(1000),
        },
      ],
    })
    const approve = (n: bigint) =>
      encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [f.recipient, n] })
    await f.send(dapp, [{ to: f.token, data: approve(tusd(600)) }])
    // The spender pulls it with transferFrom (outside the session: it is its own account).
    assert.equal(await f.spent(session), tusd(600))
    // A second approval (even re-setting the same allowance) and transfers share the same 1,000.
    await assert.rejects(
      f.send(dapp, [{ to: f.token, data: approve(tusd(600)) }]),
      (e: unknown) => e instanceof SpendingLimitExceededError && e.spent === tusd(600),
    )
    await assert.rejects(f.send(dapp, [f.transfer(tusd(401))]), SpendingLimitExceededError)
    await f.send(dapp, [f.transfer(tusd(400))])
    assert.equal(await f.spent(session), tusd(1000))
  })

  it('attack 11: several transfers in one batch that each fit but together exceed the limit → rejected', async () => {
    const { session, dapp } = await f.grant()
    await assert.rejects(
      f.send(dapp, [f.transfer(tusd(600)), f.transfer(tusd(600))]),
      (e: unknown) => e instanceof SpendingLimitExceededError && e.index === 1,
    )
    await nothingMoved(session)
  })
})

describe('time and revocation', () => {
  it('attack 13: a session used before its start or after its end → refused by the EntryPoint', async () => {
    const now = await f.devnet.now()
    const { session, dapp } = await f.grant({ start: now + 300, end: now + 900 })
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionNotYetValidError)
    await f.devnet.increaseTime(1000)
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionExpiredError)
    await nothingMoved(session)
  })

  it('attack 15: a session created with enable: false is unusable until enabled', async () => {
    const { session, dapp } = await f.grant({ enable: false })
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionDisabledError)
    await nothingMoved(session)
  })

  it('attack 16: the module uninstalled and installed again → no old session comes back', async () => {
    const { session, dapp } = await f.grant()
    const call = (functionName: 'installModule' | 'uninstallModule') => ({
      to: f.account,
      data: encodeFunctionData({ abi: sessionAccountAbi, functionName, args: [1n, sessionKeyValidatorAddress, '0x'] }),
    })
    await f.send(f.ownerAccount, [call('uninstallModule')])
    await f.send(f.ownerAccount, [call('installModule')])
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionRevokedError)
    await nothingMoved(session)
  })

  it('attack 14: an operation signed before the revocation is rejected after it', async () => {
    const { session, dapp } = await f.grant()
    const { prepareUserOperation07, handleUserOperation } = await import('../../src/devnet/index.js')
    const userOperation = await prepareUserOperation07(f.client, {
      account: dapp,
      callData: await dapp.encodeCalls([f.transfer(1n)]),
    })
    userOperation.signature = await dapp.signUserOperation(userOperation)
    await f.send(f.ownerAccount, getRevokeSessionCalls({ session }))
    await assert.rejects(
      handleUserOperation(f.client, { userOperation, beneficiary: f.client.account.address, session }),
      SessionRevokedError,
    )
    await nothingMoved(session)
  })
})

describe('signatures and replay', () => {
  it('attack 17: an operation signed by a key that is not the session key is rejected', async () => {
    const { session, dapp } = await f.grant()
    const impostor = privateKeyToAccount(generatePrivateKey())
    const callData = await dapp.encodeCalls([f.transfer(1n)])
    await assert.rejects(
      f.sendRaw(dapp, {
        callData,
        signature: async (signed) => {
          const forged = await impostor.sign({ hash: `0x${'11'.repeat(32)}` })
          return concat([sliceHex(signed, 0, 53), forged])
        },
      }),
      InvalidSessionSignatureError,
    )
    await nothingMoved(session)
  })

  it('a signature bound to one session cannot be moved to another session of the same key', async () => {
    const a = await f.grant()
    // A second session with the same key and another salt (another id).
    const now = await f.devnet.now()
    const b = defineSession({
      ...a.session,
      salt: `0x${'42'.repeat(32)}`,
      permissions: a.session.permissions,
      validity: { endTimestamp: now + 3600 },
      chainId: a.session.chainId,
      account: a.session.account,
      sessionKey: a.session.sessionKey,
      now,
    })
    await f.send(f.ownerAccount, await getGrantSessionCalls(f.client, { session: b }))
    const callData = await a.dapp.encodeCalls([f.transfer(1n)])
    // Swap the salt (hence the session id) in a signature made for session a.
    await assert.rejects(
      f.sendRaw(a.dapp, {
        callData,
        signature: (signed) => concat([sliceHex(signed, 0, 21), b.salt, sliceHex(signed, 53)]),
      }),
      InvalidSessionSignatureError,
    )
  })

  it('attack 18: a session-key signature replayed on another account with the same session is rejected', async () => {
    const { session, key, dapp } = await f.grant()
    // A second account grants the very same key and salt (so the same session id).
    const otherOwner = await toOwnerAccount({ client: f.client, owner: privateKeyToAccount(generatePrivateKey()) })
    await f.devnet.fund(otherOwner.address, 10n ** 18n)
    const now = await f.devnet.now()
    const twin = defineSession({
      account: otherOwner.address,
      chainId: session.chainId,
      sessionKey: key.address,
      salt: session.salt,
      permissions: session.permissions,
      validity: { startTimestamp: session.validAfter, endTimestamp: session.validUntil },
      now,
    })
    await f.send(otherOwner, await getGrantSessionCalls(f.client, { session: twin }))
    const twinDapp = await toSessionKeyAccount({ client: f.client, session: twin, sessionKey: key.privateKey })
    const { prepareUserOperation07 } = await import('../../src/devnet/index.js')
    const callData = await dapp.encodeCalls([f.transfer(1n)])
    const mine = await prepareUserOperation07(f.client, { account: dapp, callData })
    const signatureForA = await dapp.signUserOperation(mine)
    await assert.rejects(
      f.sendRaw(twinDapp, { callData, signature: () => signatureForA }),
      InvalidSessionSignatureError,
    )
    await nothingMoved(session)
  })

  it('attack 20: a malleable (high-s) signature, or r = 0 / s = 0, is rejected', async () => {
    const { session, dapp } = await f.grant()
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const callData = await dapp.encodeCalls([f.transfer(1n)])
    const highS = (signed: Hex) => {
      const r = sliceHex(signed, 53, 85)
      const s = hexToBigInt(sliceHex(signed, 85, 117))
      const v = Number(hexToBigInt(sliceHex(signed, 117, 118)))
      return concat([sliceHex(signed, 0, 53), r, pad(numberToHex(n - s)), numberToHex(v === 27 ? 28 : 27)])
    }
    await assert.rejects(f.sendRaw(dapp, { callData, signature: highS }), InvalidSessionSignatureError)
    const zeroR = (signed: Hex) => concat([sliceHex(signed, 0, 53), pad('0x00'), sliceHex(signed, 85)])
    await assert.rejects(f.sendRaw(dapp, { callData, signature: zeroR }), InvalidSessionSignatureError)
    const zeroS = (signed: Hex) => concat([sliceHex(signed, 0, 85), pad('0x00'), sliceHex(signed, 117)])
    await assert.rejects(f.sendRaw(dapp, { callData, signature: zeroS }), InvalidSessionSignatureError)
    const truncated = (signed: Hex) => sliceHex(signed, 0, 117)
    await assert.rejects(f.sendRaw(dapp, { callData, signature: truncated }), InvalidSessionSignatureError)
    await nothingMoved(session)
    await f.sendRaw(dapp, { callData }) // the untouched signature is fine
  })

  it('attack 21: the session key cannot sign an ERC-1271 message for the account', async () => {
    const { dapp } = await f.grant()
    await assert.rejects(dapp.signMessage({ message: 'permit' }), SessionKeyCannotSignMessagesError)
    const hash = `0x${'ab'.repeat(32)}` as Hex
    const viaModule = await f.client.readContract({
      address: sessionKeyValidatorAddress,
      abi: sessionKeyValidatorAbi,
      functionName: 'isValidSignatureWithSender',
      args: [f.recipient, hash, '0x'],
    })
    assert.equal(viaModule, '0xffffffff')
    const signature = concat([sessionKeyValidatorAddress, `0x${'11'.repeat(117)}`])
    const viaAccount = await f.client.readContract({
      address: f.account,
      abi: sessionAccountAbi,
      functionName: 'isValidSignature',
      args: [hash, signature],
    })
    assert.equal(viaAccount, '0xffffffff')
  })
})

describe('gas and bundlers', () => {
  it('attack 22: a session operation that names a paymaster is rejected', async () => {
    const { session, dapp } = await f.grant()
    const callData = await dapp.encodeCalls([f.transfer(1n)])
    await assert.rejects(
      f.sendRaw(dapp, { callData, paymasterAndData: { paymaster: f.target, data: '0x' } }),
      isRule('paymaster'),
    )
    await nothingMoved(session)
  })
})
