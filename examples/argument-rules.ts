// Argument rules: a session that may pay one shop only, at most 100 TUSD per payment.
import { encodeFunctionData, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount, testTokenAbi } from '../src/devnet/index.js'
import {
  CallNotPermittedError,
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  toSessionKeyAccount,
} from '../src/index.js'

const devnet = await createDevnet()
const { ownerAccount, account, token, recipient: shop } = await setupDemoAccount(devnet)
const key = generateSessionKey()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: key.address,
  permissions: [
    {
      whitelistDestination: token,
      whitelistMethods: ['transfer(address,uint256)'],
      tokenAmount: parseUnits('1000', 18),
      rules: [
        { method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: shop },
        {
          method: 'transfer(address to, uint256 amount)',
          arg: 'amount',
          condition: 'lte',
          value: parseUnits('100', 18),
        },
      ],
    },
  ],
  validity: { endTimestamp: (await devnet.now()) + 3600 },
})
await devnet.submitter.sendUserOperation({
  account: ownerAccount,
  calls: await getGrantSessionCalls(devnet.client, { session }),
})
const dapp = await toSessionKeyAccount({ client: devnet.client, session, sessionKey: key.privateKey })
const pay = (to: `0x${string}`, amount: string) => ({
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [to, parseUnits(amount, 18)] }),
})

await devnet.submitter.sendUserOperation({ account: dapp, calls: [pay(shop, '100')] })
console.log('✓ paid the shop 100 TUSD')
for (const [what, call] of [
  ['150 TUSD to the shop (over 100 per payment)', pay(shop, '150')],
  ['10 TUSD to someone else', pay('0x000000000000000000000000000000000000bEEF', '10')],
] as const) {
  try {
    await devnet.submitter.sendUserOperation({ account: dapp, calls: [call] })
    console.error(`✗ ${what} was not refused`)
    process.exit(1)
  } catch (error) {
    if (!(error instanceof CallNotPermittedError && error.rule === 'argument')) throw error
    console.log(`✓ refused ${what}: ${error.shortMessage}`)
  }
}
process.exit(0)
