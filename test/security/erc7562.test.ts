/** The ERC-7562 check itself: it must catch a validator that breaks the rules, and pass ours. */

import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { encodeFunctionData, getAddress, type Hex, numberToHex } from 'viem'
import { sessionAccountAbi } from '../../src/abis.js'
import { checkErc7562, prepareUserOperation07 } from '../../src/devnet/index.js'
import {
  badValidatorAbi,
  badValidatorBytecode,
  offendingValidatorAbi,
  offendingValidatorBytecode,
} from '../../src/generated/testContracts.js'

import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})

describe('attack 23: the ERC-7562 check of validation', () => {
  it('passes a session-key validation of this module (single, batch, rules, grant paths run in the suites)', async () => {
    const { dapp } = await f.grant()
    const userOperation = await prepareUserOperation07(f.client, {
      account: dapp,
      callData: await dapp.encodeCalls([f.transfer(tusd(1)), f.transfer(tusd(2))]),
    })
    userOperation.signature = await dapp.signUserOperation(userOperation)
    const report = await checkErc7562(f.client, { userOperation, from: f.client.account.address })
    assert.ok(report.steps > 500, `validation steps traced: ${report.steps}`)
    assert.deepEqual(report.violations, [])
  })

  it('catches a validator that reads TIMESTAMP and storage not associated with the account', async () => {
    const hash = await f.client.deployContract({
      abi: badValidatorAbi,
      bytecode: badValidatorBytecode,
      account: f.client.account,
      chain: f.client.chain,
    })
    const bad = getAddress((await f.client.waitForTransactionReceipt({ hash })).contractAddress as `0x${string}`)
    const install = encodeFunctionData({ abi: sessionAccountAbi, functionName: 'installModule', args: [1n, bad, '0x'] })
    await f.send(f.ownerAccount, [{ to: f.account, data: install }])
    const userOperation = await prepareUserOperation07(f.client, {
      account: f.ownerAccount,
      callData: await f.ownerAccount.encodeCalls([f.transfer(1n)]),
    })
    // The bad validator is chosen by the nonce key, like the session module.
    userOperation.nonce = BigInt(bad) << 96n
    userOperation.signature = '0x' as Hex
    const report = await checkErc7562(f.client, { userOperation, from: f.client.account.address })
    const found = report.violations.map((v) => `${v.rule}:${v.opcode}:${v.contract}`)
    assert.ok(found.includes(`opcode:TIMESTAMP:${bad}`), found.join(', '))
    assert.ok(
      found.some((v) => v.startsWith(`storage:SLOAD:${bad}`)),
      found.join(', '),
    )
    assert.ok(
      found.some((v) => v.startsWith(`storage:SSTORE:${bad}`)),
      found.join(', '),
    )
  })
  const modes: [number, string, string][] = [
    [1, 'OP-041', 'EXTCODEHASH'],
    [2, 'OP-041', 'STATICCALL'],
    [3, 'OP-054', 'STATICCALL'],
    [4, 'OP-061', 'CALL'],
    [5, 'OP-062', 'STATICCALL'],
    [6, 'OP-070', 'TSTORE'],
    [7, 'OP-080', 'SELFBALANCE'],
  ]
  for (const [mode, code, opcode] of modes) {
    it(`catches a validator that breaks ${code} (${opcode})`, async () => {
      await f.reset()
      const hash = await f.client.deployContract({
        abi: offendingValidatorAbi,
        bytecode: offendingValidatorBytecode,
        account: f.client.account,
        chain: f.client.chain,
      })
      const offender = getAddress((await f.client.waitForTransactionReceipt({ hash })).contractAddress as `0x${string}`)
      const install = encodeFunctionData({
        abi: sessionAccountAbi,
        functionName: 'installModule',
        args: [1n, offender, '0x'],
      })
      await f.send(f.ownerAccount, [{ to: f.account, data: install }])
      const userOperation = await prepareUserOperation07(f.client, {
        account: f.ownerAccount,
        callData: await f.ownerAccount.encodeCalls([f.transfer(1n)]),
      })
      userOperation.nonce = BigInt(offender) << 96n
      userOperation.signature = numberToHex(mode, { size: 1 })
      const report = await checkErc7562(f.client, { userOperation, from: f.client.account.address })
      const found = report.violations.map((v) => `${v.code}:${v.opcode}:${v.contract}`)
      assert.ok(found.includes(`${code}:${opcode}:${offender}`), found.join(', '))
    })
  }
})
