/** Off-chain grants: the owner signs, nothing is sent; the dapp's first operation creates the session. */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { type Address, hashTypedData } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { sessionAccountAbi } from '../../src/abis.js'
import {
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  getRevokeAllSessionsCalls,
  getRevokeSessionCalls,
  getSessionGrantTypedData,
  getSessionStatus,
  type PermissionInput,
  SessionGrantEpochInvalidError,
  SessionGrantInvalidError,
  SessionRevokedError,
  sessionKeyValidatorAbi,
  signSessionGrant,
  toOwnerAccount,
  toSessionConfig,
  toSessionKeyAccount,
  verifySessionGrant,
} from '../../src/index.js'
import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})
beforeEach(async () => {
  await f.reset()
})

async function offchain(permissions?: readonly PermissionInput[], account = f.account) {
  const now = await f.devnet.now()
  const key = generateSessionKey()
  const session = defineSession({
    account,
    chainId: f.devnet.chain.id,
    sessionKey: key.address,
    permissions: permissions ?? [
      {
        whitelistDestination: f.token,
        whitelistMethods: ['transfer(address,uint256)'],
        tokenAmount: tusd(1000),
        rules: [{ method: 'transfer(address to, uint256)', arg: 'to', condition: 'eq', value: f.recipient }],
      },
    ],
    validity: { endTimestamp: now + 3600 },
    paymasters: [f.target],
    gasBudget: 10n ** 18n,
    now,
  })
  return { key, session }
}

describe('off-chain grants', () => {
  it('hashes the grant on chain exactly as the typed data a wallet signs', async () => {
    const { session } = await offchain()
    const onChain = await f.client.readContract({
      address: session.module,
      abi: sessionKeyValidatorAbi,
      functionName: 'getGrantDigest',
      args: [f.account, 3n, 2_000_000_000, toSessionConfig(session)],
    })
    assert.equal(onChain, hashTypedData(getSessionGrantTypedData({ session, epoch: 3n, enableBefore: 2_000_000_000 })))
  })

  it('creates the session on its first use, with no owner transaction', async () => {
    const { key, session } = await offchain()
    const grant = await signSessionGrant(f.client, { session, owner: f.owner })
    await verifySessionGrant(f.client, { session, grant })
    assert.equal((await getSessionStatus(f.client, { session })).status, 'not-found')
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
    await f.sendChecked(dapp, [f.transfer(tusd(10))])
    assert.equal((await getSessionStatus(f.client, { session })).status, 'active')
    await f.sendChecked(dapp, [f.transfer(tusd(10))]) // now in the plain "use" form
    assert.equal(await f.spent(session), tusd(20))
    assert.equal(await f.balanceOf(f.recipient), tusd(20))
  })

  it('refuses a grant whose session was changed after signing', async () => {
    const { key, session } = await offchain()
    const grant = await signSessionGrant(f.client, { session, owner: f.owner })
    const widened = {
      ...session,
      permissions: [{ ...session.permissions[0], tokenLimit: tusd(1_000_000) }],
    }
    await assert.rejects(verifySessionGrant(f.client, { session: widened, grant }), SessionGrantInvalidError)
    const dapp = await toSessionKeyAccount({ client: f.client, session: widened, sessionKey: key.privateKey, grant })
    await assert.rejects(f.send(dapp, [f.transfer(tusd(10))]), SessionGrantInvalidError)
    assert.equal((await getSessionStatus(f.client, { session })).status, 'not-found')
  })

  it('refuses a grant signed by someone else than the owner', async () => {
    const { key, session } = await offchain()
    const grant = await signSessionGrant(f.client, { session, owner: privateKeyToAccount(generatePrivateKey()) })
    await assert.rejects(verifySessionGrant(f.client, { session, grant }), SessionGrantInvalidError)
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
    await assert.rejects(f.send(dapp, [f.transfer(tusd(10))]), SessionGrantInvalidError)
  })

  it("the owner's account object signs typed data as the account (ERC-7739): valid there only", async () => {
    const typedData = {
      domain: { name: 'Permit2', chainId: f.devnet.chain.id, verifyingContract: f.target },
      types: {
        Permit: [
          { name: 'spender', type: 'address' },
          { name: 'amount', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: { spender: f.recipient, amount: 5n },
    } as const
    const signature = await f.ownerAccount.signTypedData(typedData)
    const confirms = (account: Address, hash = hashTypedData(typedData)) =>
      f.client.readContract({
        address: account,
        abi: sessionAccountAbi,
        functionName: 'isValidSignature',
        args: [hash, signature],
      })
    assert.equal(await confirms(f.account), '0x1626ba7e')
    assert.equal(
      await confirms(f.account, hashTypedData({ ...typedData, message: { ...typedData.message, amount: 6n } })),
      '0xffffffff',
    )
    // Same owner, another account: the nesting in each account's domain keeps it there.
    const other = await toOwnerAccount({ client: f.client, owner: f.owner, salt: `0x${'00'.repeat(31)}02` })
    await f.devnet.fund(other.address, 10n ** 18n)
    await f.send(other, [{ to: f.recipient, value: 1n }])
    assert.equal(await confirms(other.address), '0xffffffff')
  })

  it('grants off chain with the owner account object as owner (signed as the account, confirmed by it)', async () => {
    const { key, session } = await offchain()
    const grant = await signSessionGrant(f.client, { session, owner: f.ownerAccount })
    await verifySessionGrant(f.client, { session, grant })
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
    await f.sendChecked(dapp, [f.transfer(tusd(10))])
    assert.equal((await getSessionStatus(f.client, { session })).status, 'active')
    assert.equal(await f.balanceOf(f.recipient), tusd(10))
  })

  it('attack 19: a grant replayed on another account of the same owner is refused', async () => {
    const { key, session } = await offchain()
    const grant = await signSessionGrant(f.client, { session, owner: f.owner })
    // Same owner, another account (salt 1), same session key and salt, module installed.
    const other = await toOwnerAccount({ client: f.client, owner: f.owner, salt: `0x${'00'.repeat(31)}01` })
    await f.devnet.fund(other.address, 10n ** 18n)
    const first = await offchain(undefined, other.address)
    await f.send(other, await getGrantSessionCalls(f.client, { session: first.session }))
    const twin = { ...session, account: other.address }
    const dapp = await toSessionKeyAccount({ client: f.client, session: twin, sessionKey: key.privateKey, grant })
    await assert.rejects(f.send(dapp, [f.transfer(tusd(10))]), SessionGrantInvalidError)
  })

  it('attack 19: a grant used after revoke-all, or after its session id was revoked, is refused', async () => {
    const a = await offchain()
    const grantA = await signSessionGrant(f.client, { session: a.session, owner: f.owner })
    await f.send(f.ownerAccount, getRevokeAllSessionsCalls())
    await assert.rejects(
      verifySessionGrant(f.client, { session: a.session, grant: grantA }),
      SessionGrantEpochInvalidError,
    )
    const dappA = await toSessionKeyAccount({
      client: f.client,
      session: a.session,
      sessionKey: a.key.privateKey,
      grant: grantA,
    })
    await assert.rejects(f.send(dappA, [f.transfer(tusd(1))]), SessionGrantEpochInvalidError)

    const b = await offchain()
    const grantB = await signSessionGrant(f.client, { session: b.session, owner: f.owner })
    await f.send(f.ownerAccount, getRevokeSessionCalls({ session: b.session }))
    const dappB = await toSessionKeyAccount({
      client: f.client,
      session: b.session,
      sessionKey: b.key.privateKey,
      grant: grantB,
    })
    await assert.rejects(f.send(dappB, [f.transfer(tusd(1))]), SessionRevokedError)
  })

  it('attack 14/19: a used grant re-submitted byte for byte after revocation stays refused', async () => {
    const { key, session } = await offchain()
    const grant = await signSessionGrant(f.client, { session, owner: f.owner })
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
    await f.send(dapp, [f.transfer(tusd(1))])
    await f.send(f.ownerAccount, getRevokeSessionCalls({ session }))
    // A fresh account object starts again in the "enable" form, carrying the same grant.
    const again = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
    await assert.rejects(f.send(again, [f.transfer(tusd(1))]), SessionRevokedError)
  })
})
