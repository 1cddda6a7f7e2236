// A session's whole life, read from the chain alone: the wallet lists the account's sessions
// (no indexer, no record of its own), sees what each may still spend, and revokes one in an
// operation that also takes back the allowance the session gave.
import { encodeFunctionData, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount, testTokenAbi } from '../src/devnet/index.js'
import {
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  getRevokeSessionCleanupCalls,
  listSessions,
  toSessionKeyAccount,
} from '../src/index.js'

const devnet = await createDevnet()
const { ownerAccount, account, token, recipient } = await setupDemoAccount(devnet)
const tusd = (n: number) => parseUnits(String(n), 18)
const key = generateSessionKey()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: key.address,
  permissions: [
    {
      whitelistDestination: token,
      whitelistMethods: ['transfer(address,uint256)', 'approve(address,uint256)'],
      tokenAmount: tusd(50),
    },
  ],
  validity: { endTimestamp: (await devnet.now()) + 3600 },
})
await devnet.submitter.sendUserOperation({
  account: ownerAccount,
  calls: await getGrantSessionCalls(devnet.client, { session }),
})
const dapp = await toSessionKeyAccount({ client: devnet.client, session, sessionKey: key.privateKey })
const call = (functionName: 'transfer' | 'approve', amount: number) => ({
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName, args: [recipient, tusd(amount)] }),
})
await devnet.submitter.sendUserOperation({ account: dapp, calls: [call('transfer', 5), call('approve', 20)] })
console.log('✓ the dapp paid 5 TUSD and approved 20 TUSD to a spender')

const [listed] = await listSessions(devnet.client, { account })
const left = listed.session ? 50n * 10n ** 18n - (listed.usage?.targets[token]?.tokenSpent ?? 0n) : undefined
console.log(
  `✓ listed from chain: ${listed.id.slice(0, 10)}… ${listed.status}, ${left === undefined ? '?' : left / 10n ** 18n} TUSD left`,
)

const { calls, approvals } = await getRevokeSessionCleanupCalls(devnet.client, { session })
await devnet.submitter.sendUserOperation({ account: ownerAccount, calls })
const allowance = await devnet.client.readContract({
  address: token,
  abi: testTokenAbi,
  functionName: 'allowance',
  args: [account, recipient],
})
const [after] = await listSessions(devnet.client, { account })
console.log(`✓ revoked with ${approvals.length} allowance reset: now ${after.status}, allowance ${allowance}`)
process.exit(listed.status === 'active' && left === tusd(25) && after.status === 'revoked' && allowance === 0n ? 0 : 1)
