/** Revocation that cleans up: the allowances a session gave go back to zero in the owner's revoking operation. */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { type Address, encodeFunctionData } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { testTokenAbi } from '../../src/devnet/index.js'
import {
  getRevokeSessionCleanupCalls,
  getSessionApprovals,
  getSessionStatus,
  InvalidParameterError,
  sessionKeyActions,
} from '../../src/index.js'
import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})
beforeEach(async () => {
  await f.reset()
})

const spender = (n: number) => privateKeyToAccount(`0x${String(n).padStart(64, '0')}`).address
const approve = (to: Address, amount: bigint, on: Address = f.token) => ({
  to: on,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [to, amount] }),
})
const allowance = (to: Address, on: Address = f.token) =>
  f.client.readContract({ address: on, abi: testTokenAbi, functionName: 'allowance', args: [f.account, to] })

const approving = {
  whitelistDestination: undefined as unknown as Address,
  whitelistMethods: ['approve(address,uint256)', 'transfer(address,uint256)'],
  tokenAmount: tusd(100),
}

describe('revoking a session resets the allowances it gave', () => {
  it('finds exactly the standing allowances this session set last, and one owner operation revokes and resets them', async () => {
    const a = await f.grant({ permissions: [{ ...approving, whitelistDestination: f.token }] })
    const b = await f.grant({ permissions: [{ ...approving, whitelistDestination: f.token }] })
    const [s1, s2, s3, s4, s5] = [1, 2, 3, 4, 5].map(spender)
    await f.send(a.dapp, [approve(s1, tusd(5)), approve(s2, tusd(3))]) // session a: two allowances
    await f.send(a.dapp, [approve(s5, tusd(1))])
    await f.send(a.dapp, [approve(s5, 0n)]) // set back to zero by the session itself: nothing to reset
    await f.send(b.dapp, [approve(s4, tusd(2))]) // another session's
    await f.send(f.ownerAccount, [approve(s3, tusd(9))]) // the owner's own
    await f.send(a.dapp, [approve(s3, tusd(4))]) // the session then changed the owner's: now the session's
    await f.send(f.ownerAccount, [approve(s2, tusd(8))]) // the owner then set s2 itself: the owner's again

    const found = await getSessionApprovals(f.client, { session: a.session })
    assert.deepEqual(
      found.map(({ spender, allowance }) => [spender, allowance]),
      [
        [s1, tusd(5)],
        [s3, tusd(4)],
      ],
    )
    const { calls, approvals } = await getRevokeSessionCleanupCalls(f.client, { session: a.session })
    assert.deepEqual(approvals, found)
    assert.equal(calls.length, 3, 'revoke, then two resets')
    await f.send(f.ownerAccount, calls)

    assert.equal((await getSessionStatus(f.client, { session: a.session })).status, 'revoked')
    assert.deepEqual(
      await Promise.all([s1, s2, s3, s4, s5].map((s) => allowance(s))),
      [0n, tusd(8), 0n, tusd(2), 0n],
      "the session's are zero; the owner's and the other session's stand",
    )
    assert.equal((await getSessionStatus(f.client, { session: b.session })).status, 'active')
    assert.deepEqual(await getSessionApprovals(f.client, { session: a.session }), [])
    const client = f.client.extend(sessionKeyActions())
    assert.deepEqual(await client.getSessionApprovals({ session: b.session }), [
      {
        token: f.token,
        spender: s4,
        allowance: tusd(2),
        transactionHash: (await getSessionApprovals(f.client, { session: b.session }))[0].transactionHash,
      },
    ])
  })

  it('a session that cannot approve has nothing to clean up; bad input gets a typed error', async () => {
    const { session, dapp } = await f.grant()
    await f.send(dapp, [f.transfer(1n)])
    assert.deepEqual(await getSessionApprovals(f.client, { session }), [])
    const { calls } = await getRevokeSessionCleanupCalls(f.client, { session })
    assert.equal(calls.length, 1)
    await assert.rejects(
      getSessionApprovals(f.client, { session: { ...session, salt: `0x${'11'.repeat(32)}` } }),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'session.id',
    )
  })
})
