// An aggregator's agent may approve any token, but only to its router and at most 50 of each:
// one permission for any destination, bounded by an argument rule and a per-token limit. The
// wallet shows it as "any contract"; the chain refuses another spender and a 51st unit.
import { encodeFunctionData, parseUnits } from 'viem'
import { createDevnet, deployTestToken, mintTestToken, setupDemoAccount, testTokenAbi } from '../src/devnet/index.js'
import {
  CallNotPermittedError,
  defineSession,
  describeSession,
  generateSessionKey,
  getGrantSessionCalls,
  SpendingLimitExceededError,
  toSessionKeyAccount,
} from '../src/index.js'

const devnet = await createDevnet()
const { client, submitter } = devnet
const { ownerAccount, account, token, recipient } = await setupDemoAccount(devnet)
const other = await deployTestToken(client, { name: 'Other', symbol: 'OTH' })
await mintTestToken(client, { token: other, to: account, amount: parseUnits('1000', 18) })
const router = '0x000000000000000000000000000000000000bEEF'
const units = (n: number) => parseUnits(String(n), 18)

const key = generateSessionKey()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: key.address,
  permissions: [
    {
      whitelistDestination: 'any',
      whitelistMethods: ['approve(address spender, uint256 amount)'],
      tokenAmount: units(50), // per token
      rules: [{ method: 'approve(address spender, uint256 amount)', arg: 'spender', condition: 'eq', value: router }],
    },
  ],
  validity: { endTimestamp: (await devnet.now()) + 3600 },
})
const { warnings } = await describeSession(client, { session })
console.log(`The wallet warns: ${warnings[0]}`)
await submitter.sendUserOperation({ account: ownerAccount, calls: await getGrantSessionCalls(client, { session }) })

const agent = await toSessionKeyAccount({ client, session, sessionKey: key.privateKey })
const approve = (on: `0x${string}`, spender: `0x${string}`, amount: bigint) => ({
  to: on,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [spender, amount] }),
})
await submitter.sendUserOperation({
  account: agent,
  calls: [approve(token, router, units(50)), approve(other, router, units(30))],
})
console.log('✓ approved 50 TUSD and 30 OTH to the router in one operation')

const refused = async (calls: ReturnType<typeof approve>[], kind: new (...args: never[]) => Error) =>
  submitter.sendUserOperation({ account: agent, calls }).then(
    () => false,
    (e) => e instanceof kind,
  )
const otherSpender = await refused([approve(other, recipient, 1n)], CallNotPermittedError)
const overLimit = await refused([approve(token, router, 1n)], SpendingLimitExceededError)
console.log(
  `✓ another spender is ${otherSpender ? 'refused' : 'ACCEPTED'}; a 51st TUSD is ${overLimit ? 'refused' : 'ACCEPTED'}`,
)
await submitter.sendUserOperation({ account: agent, calls: [approve(other, router, units(20))] })
const allowance = await client.readContract({
  address: other,
  abi: testTokenAbi,
  functionName: 'allowance',
  args: [account, router],
})
console.log(`✓ 20 more OTH: each token keeps its own count (router's OTH allowance now ${allowance / units(1)})`)
process.exit(otherSpender && overLimit && allowance === units(20) ? 0 : 1)
