/** The viem decorator: `client.extend(sessionKeyActions())`, on the real chain. */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import {
  type SessionKeyActions,
  SpendingLimitExceededError,
  sessionKeyActions,
  toSessionKeyAccount,
  UntrustedModuleError,
} from '../../src/index.js'
import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})

describe('sessionKeyActions()', () => {
  it('grants, describes, checks, reads and revokes through the extended client', async () => {
    const client = f.client.extend(sessionKeyActions())
    const typed: SessionKeyActions = client // every action is there, with its types
    assert.equal(typeof typed.grantSession, 'function')
    const { session, key } = await f.define()
    const now = await f.devnet.now()

    const { lines } = await client.describeSession({ session })
    assert.ok(lines.some((line) => line.includes('at most 1,000 TUSD in total')))
    await f.send(f.ownerAccount, await client.grantSession({ session }))
    assert.equal((await client.getSessionStatus({ session })).status, 'active')

    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
    await f.send(dapp, [f.transfer(tusd(600))])
    const [limit] = await client.getSpendingLimits({ session })
    assert.equal(limit.spent, tusd(600))
    assert.equal((await client.getSessionUsage({ session })).targets[f.token].tokenSpent, tusd(600))
    await assert.rejects(
      client.preflight({ session, calls: [f.transfer(tusd(600))], maxCost: 10n ** 15n }),
      (e) => e instanceof SpendingLimitExceededError && e.limit === tusd(1000),
    )
    assert.ok((await client.getValidationTime()) > now)
    const meta = await client.readTokenMetadata({ addresses: [f.token] })
    assert.equal(meta[f.token].symbol, 'TUSD')

    await f.send(f.ownerAccount, client.revokeSession({ session }))
    assert.equal((await client.getSessionStatus({ session })).status, 'revoked')
    assert.equal(await f.spent(session), tusd(600), 'nothing moved after the refusal')
    assert.throws(
      () => client.revokeSession({ session: { ...session, module: f.target } }),
      (e) => e instanceof UntrustedModuleError,
    )
  })
})
