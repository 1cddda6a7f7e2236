/**
 * ERC-721 collections: how many NFTs a session moves is bounded by its use limit (each
 * transferFrom, safeTransferFrom or approve moves or approves one), setApprovalForAll is
 * refused unless granted (and then bound by a rule), and the wallet sees the collection for
 * what it is. Every refusal is read back from the chain: owners, approvals, the module's use
 * counter and the EntryPoint nonce.
 */
import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import { type Address, encodeFunctionData } from 'viem'
import { deployTestNft, testNftAbi } from '../../src/devnet/index.js'
import { CallNotPermittedError, describeSession, type Session, sessionKeyValidatorAbi } from '../../src/index.js'
import { createFixture, type Fixture } from '../helpers/fixture.js'

let f: Fixture
let nft: Address
before(async () => {
  f = await createFixture()
  nft = await deployTestNft(f.client, { to: f.account, ids: [1n, 2n, 3n] })
  await f.keepAsBaseline() // the collection and its NFTs are part of every test's starting state
})
beforeEach(async () => {
  await f.reset()
})

const market = '0x000000000000000000000000000000000000bEEF' as Address
const call = (
  functionName: 'transferFrom' | 'safeTransferFrom' | 'approve' | 'setApprovalForAll',
  args: unknown[],
) => ({
  to: nft,
  data: encodeFunctionData({ abi: testNftAbi, functionName, args } as never),
})
const moveTo = (to: Address, id: bigint) => call('transferFrom', [f.account, to, id])
const owners = () =>
  Promise.all(
    [1n, 2n, 3n].map((id) =>
      f.client.readContract({ address: nft, abi: testNftAbi, functionName: 'ownerOf', args: [id] }),
    ),
  )
const approvedForAll = (operator: Address) =>
  f.client.readContract({
    address: nft,
    abi: testNftAbi,
    functionName: 'isApprovedForAll',
    args: [f.account, operator],
  })
const uses = async (session: Session) => {
  const [, , , , , counted] = await f.client.readContract({
    address: session.module,
    abi: sessionKeyValidatorAbi,
    functionName: 'getTargetUsage',
    args: [session.account, session.id, nft],
  })
  return counted
}
const isRule =
  (rule: string, index = 0) =>
  (e: unknown) =>
    e instanceof CallNotPermittedError && e.rule === rule && e.index === index

describe('an ERC-721 collection', () => {
  it('maxUses bounds how many NFTs move: two of three, whatever the function', async () => {
    const { session, dapp } = await f.grant({
      permissions: [
        {
          whitelistDestination: nft,
          whitelistMethods: ['transferFrom(address,address,uint256)', 'safeTransferFrom(address,address,uint256)'],
          maxUses: 2,
        },
      ],
    })
    await f.sendChecked(dapp, [moveTo(f.recipient, 1n), call('safeTransferFrom', [f.account, f.recipient, 2n])])
    assert.deepEqual(await owners(), [f.recipient, f.recipient, f.account])
    assert.equal(await uses(session), 2n)
    const nonce = await f.sessionNonce(session)
    await assert.rejects(f.send(dapp, [moveTo(f.recipient, 3n)]), isRule('uses'))
    await assert.rejects(f.sendChecked(dapp, [moveTo(f.recipient, 3n)]), isRule('uses'))
    assert.deepEqual(await owners(), [f.recipient, f.recipient, f.account], 'the third NFT stayed')
    assert.equal(await uses(session), 2n)
    assert.equal(await f.sessionNonce(session), nonce)
  })

  it('setApprovalForAll is refused unless granted, and then only for the operator its rule names', async () => {
    const ungranted = await f.grant({
      permissions: [
        { whitelistDestination: nft, whitelistMethods: ['transferFrom(address,address,uint256)'], maxUses: 1 },
      ],
    })
    const nonce = await f.sessionNonce(ungranted.session)
    await assert.rejects(f.send(ungranted.dapp, [call('setApprovalForAll', [market, true])]), isRule('method'))
    // approve is not granted either: one NFT at a time needs it listed.
    await assert.rejects(f.send(ungranted.dapp, [call('approve', [market, 1n])]), isRule('method'))
    assert.equal(await approvedForAll(market), false)
    assert.equal(await f.sessionNonce(ungranted.session), nonce)

    const method = 'setApprovalForAll(address operator, bool approved)'
    const granted = await f.grant({
      permissions: [
        {
          whitelistDestination: nft,
          whitelistMethods: [method],
          maxUses: 1,
          rules: [{ method, arg: 'operator', condition: 'eq', value: market }],
        },
      ],
    })
    await assert.rejects(f.send(granted.dapp, [call('setApprovalForAll', [f.recipient, true])]), isRule('argument'))
    assert.equal(await approvedForAll(f.recipient), false)
    await f.sendChecked(granted.dapp, [call('setApprovalForAll', [market, true])])
    assert.equal(await approvedForAll(market), true)
  })

  it('the wallet sees a collection: NFTs counted by maxUses, tokenAmount and setApprovalForAll warned', async () => {
    const { session } = await f.define({
      permissions: [
        {
          whitelistDestination: nft,
          whitelistMethods: ['transferFrom(address,address,uint256)'],
          tokenAmount: 5n,
        },
      ],
    })
    const { lines, warnings } = await describeSession(f.client, { session })
    const text = warnings.join('\n')
    assert.match(text, /is an ERC-721 collection: tokenAmount counts token ids there, not NFTs/)
    assert.match(text, /No limit on how many NFTs of .* \(no maxUses\)/)
    assert.match(lines.join('\n'), /an ERC-721 collection: each transferFrom, safeTransferFrom or approve moves/)
    assert.match(lines.join('\n'), /Worst case over its whole life: any number of NFTs of /)

    const counted = await f.define({
      permissions: [
        { whitelistDestination: nft, whitelistMethods: ['transferFrom(address,address,uint256)'], maxUses: 2 },
      ],
    })
    const described = await describeSession(f.client, { session: counted.session })
    assert.match(described.lines.join('\n'), /Worst case over its whole life: 2 NFTs of /)
    assert.doesNotMatch(described.warnings.join('\n'), /NFT/)
    const approving = await f.define({
      permissions: [{ whitelistDestination: nft, whitelistMethods: ['setApprovalForAll(address,bool)'], maxUses: 1 }],
    })
    assert.match(
      (await describeSession(f.client, { session: approving.session })).warnings.join('\n'),
      /May call setApprovalForAll on .*: an approved operator can take every NFT .* no rule binds which operator/,
    )
    // An ERC-20 stays what it was.
    const token = await describeSession(f.client, { session: (await f.define()).session })
    assert.doesNotMatch(token.text, /ERC-721/)
  })
})
