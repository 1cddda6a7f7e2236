// A router moves the account's tokens through an allowance, so the token's own limit never
// sees those amounts. A cumulative sum on the router call's `amount` argument does: at most
// 100 TUSD over every call of the session, whatever the batches.
import { encodeFunctionData, maxUint256, parseUnits } from 'viem'
import { createDevnet, deployTestTarget, setupDemoAccount, testTargetAbi, testTokenAbi } from '../src/devnet/index.js'
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
const { ownerAccount, account, token, recipient } = await setupDemoAccount(devnet)
const router = await deployTestTarget(client)
const tusd = (n: number) => parseUnits(String(n), 18)
// The owner approved the router long ago (an allowance the session's token limit cannot bound).
await submitter.sendUserOperation({
  account: ownerAccount,
  calls: [
    { to: token, data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [router, maxUint256] }) },
  ],
})

const pull = 'pull(address token, address from, address to, uint256 amount)'
const key = generateSessionKey()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: key.address,
  permissions: [
    {
      whitelistDestination: router,
      whitelistMethods: [pull],
      rules: [
        { method: pull, arg: 'token', condition: 'eq', value: token },
        { method: pull, arg: 'amount', condition: 'sumLte', value: tusd(100) },
      ],
    },
  ],
  validity: { endTimestamp: (await devnet.now()) + 3600 },
})
const { lines } = await describeSession(client, { session })
console.log(lines.filter((l) => l.includes('sum')).join('\n'))
await submitter.sendUserOperation({ account: ownerAccount, calls: await getGrantSessionCalls(client, { session }) })

const agent = await toSessionKeyAccount({ client, session, sessionKey: key.privateKey })
const move = (amount: number) => ({
  to: router,
  data: encodeFunctionData({
    abi: testTargetAbi,
    functionName: 'pull',
    args: [token, account, recipient, tusd(amount)],
  }),
})
await submitter.sendUserOperation({ account: agent, calls: [move(60)] })
await submitter.sendUserOperation({ account: agent, calls: [move(20), move(10)] })
console.log('✓ the router moved 60, then 20 + 10 in one batch: 90 TUSD of the 100')
const refused = await submitter.sendUserOperation({ account: agent, calls: [move(20)] }).then(
  () => false,
  (e) => e instanceof CallNotPermittedError && e.rule === 'argument',
)
console.log(`✓ 20 more would make 110: ${refused ? 'refused before sending' : 'ACCEPTED'}`)
await submitter.sendUserOperation({ account: agent, calls: [move(10)] })
const moved = await client.readContract({
  address: token,
  abi: testTokenAbi,
  functionName: 'balanceOf',
  args: [recipient],
})
console.log(`✓ the last 10 fit: ${moved / tusd(1)} TUSD moved through the router in all`)
process.exit(refused && moved === tusd(100) ? 0 : 1)
