// A game's key may move at most two of the player's NFTs and list them on one marketplace only:
// maxUses counts NFTs (each transferFrom or safeTransferFrom moves one), and setApprovalForAll
// is bound by a rule to that marketplace. The wallet recognises the collection (ERC-165).
import { encodeFunctionData } from 'viem'
import { createDevnet, deployTestNft, setupDemoAccount, testNftAbi } from '../src/devnet/index.js'
import {
  CallNotPermittedError,
  defineSession,
  describeSession,
  generateSessionKey,
  getGrantSessionCalls,
  toSessionKeyAccount,
} from '../src/index.js'

const devnet = await createDevnet()
const { client, submitter } = devnet
const { ownerAccount, account, recipient } = await setupDemoAccount(devnet)
const nft = await deployTestNft(client, { to: account, ids: [1n, 2n, 3n] })
const market = '0x000000000000000000000000000000000000bEEF'
const approveAll = 'setApprovalForAll(address operator, bool approved)'

const key = generateSessionKey()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: key.address,
  permissions: [
    {
      whitelistDestination: nft,
      whitelistMethods: ['safeTransferFrom(address,address,uint256)', approveAll],
      maxUses: 3, // two NFTs moved and one listing
      rules: [{ method: approveAll, arg: 'operator', condition: 'eq', value: market }],
    },
  ],
  validity: { endTimestamp: (await devnet.now()) + 3600 },
})
const { lines } = await describeSession(client, { session })
console.log(lines.filter((l) => /NFT/.test(l)).join('\n'))
await submitter.sendUserOperation({ account: ownerAccount, calls: await getGrantSessionCalls(client, { session }) })

const game = await toSessionKeyAccount({ client, session, sessionKey: key.privateKey })
const call = (functionName: 'safeTransferFrom' | 'setApprovalForAll', args: readonly unknown[]) => ({
  to: nft,
  data: encodeFunctionData({ abi: testNftAbi, functionName, args } as never),
})
const owner = (id: bigint) =>
  client.readContract({ address: nft, abi: testNftAbi, functionName: 'ownerOf', args: [id] })
const refused = (calls: ReturnType<typeof call>[], rule: string) =>
  submitter.sendUserOperation({ account: game, calls }).then(
    () => false,
    (e) => e instanceof CallNotPermittedError && e.rule === rule,
  )

const otherOperator = await refused([call('setApprovalForAll', [recipient, true])], 'argument')
await submitter.sendUserOperation({ account: game, calls: [call('setApprovalForAll', [market, true])] })
await submitter.sendUserOperation({
  account: game,
  calls: [call('safeTransferFrom', [account, recipient, 1n]), call('safeTransferFrom', [account, recipient, 2n])],
})
console.log(
  `✓ listed on the marketplace (another operator ${otherOperator ? 'refused' : 'ACCEPTED'}); NFTs 1 and 2 moved`,
)
const third = await refused([call('safeTransferFrom', [account, recipient, 3n])], 'uses')
console.log(`✓ a third NFT: ${third ? 'refused (maxUses spent)' : 'MOVED'}; NFT 3 is still the account's`)
const kept = (await owner(3n)) === account && (await owner(1n)) === recipient
process.exit(otherOperator && third && kept ? 0 : 1)
