/** The policy language on chain: argument rules, value and use limits, paymasters, gas budget, call types. */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { type Address, concat, encodeFunctionData, type Hex, pad, parseEther, sliceHex } from 'viem'
import { testTargetAbi, testTokenAbi } from '../../src/devnet/index.js'
import {
  accountCallsAbi,
  CallNotPermittedError,
  type PermissionInput,
  SpendingLimitExceededError,
  sessionKeyValidatorAbi,
  UserOperationRejectedError,
} from '../../src/index.js'

import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})
beforeEach(async () => {
  await f.reset()
})

const isRule = (rule: string, index?: number) => (e: unknown) =>
  e instanceof CallNotPermittedError && e.rule === rule && (index === undefined || e.index === index)
const ping = (n: bigint) => encodeFunctionData({ abi: testTargetAbi, functionName: 'ping', args: [n] })
const execute = (mode: Hex, exec: Hex) =>
  encodeFunctionData({
    abi: accountCallsAbi,
    functionName: 'execute',
    args: [mode, exec],
  })

describe('argument rules', () => {
  it('EQ on the recipient: transfers go to that recipient only', async () => {
    const shop = f.recipient
    const { session, dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          tokenAmount: tusd(1000),
          rules: [{ method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: shop }],
        },
      ],
    })
    await f.send(dapp, [f.transfer(tusd(10), shop)])
    const other = '0x000000000000000000000000000000000000bEEF' as Address
    await assert.rejects(f.send(dapp, [f.transfer(tusd(10), other)]), isRule('argument', 0))
    assert.equal(await f.balanceOf(other), 0n)
    assert.equal(await f.spent(session), tusd(10), 'the rejected transfer counted nothing')
  })

  it('a token rule is enforced alike inline (one narrow rule) and in the selector record (several, or ONE_OF)', async () => {
    const other = '0x000000000000000000000000000000000000bEEF' as Address
    const inline: PermissionInput = {
      whitelistDestination: f.token,
      whitelistMethods: ['transfer(address,uint256)', 'approve(address,uint256)'],
      tokenAmount: tusd(1000),
      rules: [{ method: 'approve(address spender, uint256)', arg: 'spender', condition: 'eq', value: f.recipient }],
    }
    const forms: { permission: PermissionInput; transferToOther: boolean }[] = [
      // The only token rule, narrow: stored inline, and it binds approve only.
      { permission: inline, transferToOther: true },
      // Two token rules: both in the selector records.
      {
        permission: {
          ...inline,
          rules: [
            ...(inline.rules ?? []),
            { method: 'transfer(address to, uint256)', arg: 'to', condition: 'neq', value: other },
          ],
        },
        transferToOther: false,
      },
      // ONE_OF: in the selector record.
      {
        permission: {
          ...inline,
          rules: [
            { method: 'approve(address spender, uint256)', arg: 'spender', condition: 'oneOf', value: [f.recipient] },
          ],
        },
        transferToOther: true,
      },
    ]
    for (const { permission, transferToOther } of forms) {
      const { session, dapp } = await f.grant({ permissions: [permission] })
      const approve = (spender: Address) => ({
        to: f.token,
        data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [spender, 5n] }),
      })
      await f.send(dapp, [approve(f.recipient)])
      await assert.rejects(f.send(dapp, [approve(other)]), isRule('argument', 0))
      assert.equal(
        await f.client.readContract({
          address: f.token,
          abi: testTokenAbi,
          functionName: 'allowance',
          args: [session.account, other],
        }),
        0n,
        'the refused approve left no allowance',
      )
      if (transferToOther) {
        await f.send(dapp, [f.transfer(1n, other)])
      } else {
        await assert.rejects(f.send(dapp, [f.transfer(1n, other)]), isRule('argument', 0))
      }
      assert.equal(await f.spent(session), transferToOther ? 6n : 5n, 'refused calls counted nothing')
      await f.reset()
    }
  })

  it('LTE on the amount caps each transfer, on top of the cumulative limit', async () => {
    const { dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          tokenAmount: tusd(1000),
          rules: [{ method: 'transfer(address,uint256)', arg: 1, condition: 'lte', value: tusd(100) }],
        },
      ],
    })
    await f.send(dapp, [f.transfer(tusd(100))])
    await assert.rejects(f.send(dapp, [f.transfer(tusd(101))]), isRule('argument'))
  })

  it('ONE_OF, GT and NEQ on a uint argument of another contract', async () => {
    const { dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.target,
          whitelistMethods: ['ping(uint256)'],
          rules: [
            { method: 'ping(uint256 number)', arg: 'number', condition: 'oneOf', value: [1n, 5n, 9n] },
            { method: 'ping(uint256 number)', arg: 'number', condition: 'gt', value: 2n },
            { method: 'ping(uint256 number)', arg: 'number', condition: 'neq', value: 9n },
          ],
        },
      ],
    })
    await f.send(dapp, [{ to: f.target, data: ping(5n) }])
    for (const [n, rule] of [
      [1n, 1],
      [9n, 2],
      [4n, 0],
    ] as const) {
      await assert.rejects(f.send(dapp, [{ to: f.target, data: ping(n) }]), (e: unknown) => {
        assert.ok(isRule('argument')(e), `ping(${n})`)
        assert.match((e as Error).message, new RegExp(`rule ${rule}`))
        return true
      })
    }
  })

  it('attack 2: a rule whose argument is missing from short calldata is broken, never read past the end', async () => {
    const { dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.target,
          whitelistMethods: ['ping(uint256)'],
          rules: [{ method: 'ping(uint256)', arg: 0, condition: 'lte', value: 10n }],
        },
      ],
    })
    const short = sliceHex(ping(1n), 0, 20)
    await assert.rejects(f.send(dapp, [{ to: f.target, data: short }]), isRule('argument'))
  })

  it('a word with dirty bits above the argument width breaks the rule', async () => {
    const { dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['approve(address,uint256)'],
          rules: [{ method: 'approve(address spender, uint256)', arg: 'spender', condition: 'eq', value: f.recipient }],
        },
      ],
    })
    const data = encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [f.recipient, 1n] })
    await f.send(dapp, [{ to: f.token, data }])
    const dirty = concat([sliceHex(data, 0, 4), '0xff', sliceHex(data, 5)])
    // The token amount parser refuses it first (calldata shape), before the rule: it never runs.
    await assert.rejects(f.send(dapp, [{ to: f.token, data: dirty }]), isRule('calldata', 0))
  })

  it('a contract refuses a rule on a selector the permission does not list', async () => {
    const bad = encodeFunctionData({
      abi: sessionKeyValidatorAbi,
      functionName: 'createSession',
      args: [
        {
          sessionKey: '0x000000000000000000000000000000000000dEaD',
          salt: pad('0x01'),
          validAfter: 0,
          validUntil: 2 ** 40,
          enabled: true,
          paymasters: [],
          gasBudget: 2n ** 256n - 1n,
          permissions: [
            {
              target: f.target,
              selectors: ['0x12345678'],
              tokenLimit: 2n ** 256n - 1n,
              valueLimitPerCall: 0n,
              valueLimitTotal: 0n,
              maxUses: 2n ** 256n - 1n,
              flags: 0,
              rules: [{ selector: '0x87654321', word: 0, condition: 0, bits: 256, values: [pad('0x01')] }],
              recurring: { start: 0, period: 0, tokenLimit: 0n, valueLimit: 0n, maxUses: 0n },
            },
          ],
        },
      ],
    })
    const { sessionKeyValidatorAddress, UserOperationFailedError } = await import('../../src/index.js')
    await assert.rejects(
      f.send(f.ownerAccount, [{ to: sessionKeyValidatorAddress, data: bad }]),
      UserOperationFailedError,
    )
  })
})

describe('native value', () => {
  it('allows plain transfers up to the per-call and total limits, summed across a batch', async () => {
    const payee = '0x000000000000000000000000000000000000cafE' as Address
    const { dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: payee,
          whitelistMethods: [],
          allowEmptyCalldata: true,
          valueLimit: { perCall: parseEther('1'), total: parseEther('2') },
        },
      ],
    })
    // One wei over the per-call limit, with the whole total still free: refused by the per-call
    // rule, and nothing moved.
    const accountBefore = await f.client.getBalance({ address: f.account })
    await assert.rejects(
      f.send(dapp, [{ to: payee, value: parseEther('1') + 1n }]),
      (e: unknown) => isRule('value')(e) && /over the per-call limit of 1000000000000000000 wei/.test(String(e)),
    )
    assert.equal(await f.client.getBalance({ address: payee }), 0n)
    assert.equal(await f.client.getBalance({ address: f.account }), accountBefore)
    await f.send(dapp, [{ to: payee, value: parseEther('1') }])
    await assert.rejects(f.send(dapp, [{ to: payee, value: parseEther('1.5') }]), isRule('value'))
    await assert.rejects(
      f.send(dapp, [
        { to: payee, value: parseEther('0.6') },
        { to: payee, value: parseEther('0.6') },
      ]),
      isRule('value', 1),
    )
    await f.send(dapp, [{ to: payee, value: parseEther('1') }])
    assert.equal(await f.client.getBalance({ address: payee }), parseEther('2'))
    await assert.rejects(f.send(dapp, [{ to: payee, value: 1n }]), isRule('value'))
  })

  it('attack 8: value with a call whose permission has no value allowance is rejected', async () => {
    const { dapp } = await f.grant({
      permissions: [{ whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'] }],
    })
    await assert.rejects(f.send(dapp, [{ to: f.target, data: ping(1n), value: 1n }]), isRule('value'))
  })
})

describe('use limits', () => {
  it('counts every call to the destination, also inside a batch', async () => {
    const { dapp } = await f.grant({
      permissions: [{ whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'], maxUses: 3 }],
    })
    await f.send(dapp, [
      { to: f.target, data: ping(1n) },
      { to: f.target, data: ping(2n) },
    ])
    await assert.rejects(
      f.send(dapp, [
        { to: f.target, data: ping(3n) },
        { to: f.target, data: ping(4n) },
      ]),
      isRule('uses', 1),
    )
    await f.send(dapp, [{ to: f.target, data: ping(3n) }])
    await assert.rejects(f.send(dapp, [{ to: f.target, data: ping(4n) }]), isRule('uses', 0))
  })
})

describe('paymasters and gas budget', () => {
  it('attack 22: refuses an unlisted paymaster; a listed one passes the session check', async () => {
    const listed = f.target
    const { dapp } = await f.grant({ paymasters: [listed] })
    const callData = await dapp.encodeCalls([f.transfer(1n)])
    await assert.rejects(
      f.sendRaw(dapp, { callData, paymasterAndData: { paymaster: f.otherToken, data: '0x' } }),
      isRule('paymaster'),
    )
    // The listed address is no real paymaster: the EntryPoint refuses it next, not the session.
    await assert.rejects(
      f.sendRaw(dapp, { callData, paymasterAndData: { paymaster: listed, data: '0x' } }),
      (e: unknown) => e instanceof UserOperationRejectedError && e.reason.startsWith('AA3'),
    )
  })

  it('caps the total cost of the session operations at their signed limits and fee', async () => {
    // The submitter signs 600k + 1M + 60k gas at 1 gwei: 1.66e15 wei per operation at most.
    const { session, dapp } = await f.grant({ gasBudget: 2_000_000_000_000_000n })
    await f.send(dapp, [f.transfer(1n)])
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), isRule('gas-budget'))
    const left = await f.client.readContract({
      address: session.module,
      abi: sessionKeyValidatorAbi,
      functionName: 'getGasLeft',
      args: [f.account, session.id],
    })
    assert.equal(left, 2_000_000_000_000_000n - 1_660_000_000_000_000n)
  })
})

describe('call types', () => {
  it('allows try-mode only where every call’s permission allows it', async () => {
    const tryMode = `0x0001${'00'.repeat(30)}` as Hex
    const exec = encodePacked(f.target, ping(1n))
    const denied = await f.grant({
      permissions: [{ whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'] }],
    })
    await assert.rejects(f.sendRaw(denied.dapp, { callData: execute(tryMode, exec) }), isRule('call-type'))
    const allowed = await f.grant({
      permissions: [{ whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'], allowTryMode: true }],
    })
    await f.sendRaw(allowed.dapp, { callData: execute(tryMode, exec) })
  })

  it('allows delegatecall only where the permission allows it', async () => {
    const delegate = `0xff${'00'.repeat(31)}` as Hex
    const exec = concat([f.target, ping(1n)])
    const denied = await f.grant({
      permissions: [{ whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'] }],
    })
    await assert.rejects(f.sendRaw(denied.dapp, { callData: execute(delegate, exec) }), isRule('call-type'))
    const allowed = await f.grant({
      permissions: [{ whitelistDestination: f.target, whitelistMethods: ['ping(uint256)'], allowDelegatecall: true }],
    })
    await f.sendRaw(allowed.dapp, { callData: execute(delegate, exec) })
  })

  it('keeps token limits with argument rules on token functions', async () => {
    const { dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: f.token,
          whitelistMethods: ['transfer(address,uint256)'],
          tokenAmount: tusd(50),
          rules: [{ method: 'transfer(address,uint256)', arg: 1, condition: 'lte', value: tusd(40) }],
        },
      ],
    })
    await f.send(dapp, [f.transfer(tusd(40))])
    await assert.rejects(f.send(dapp, [f.transfer(tusd(20))]), SpendingLimitExceededError)
  })
})

function encodePacked(target: Address, data: Hex): Hex {
  return concat([target, pad('0x00'), data])
}
