// A batch: several calls in one user operation, every one checked, limits summed.
import { encodeFunctionData, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount, testTokenAbi } from '../src/devnet/index.js'
import {
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  getSpendingLimits,
  SpendingLimitExceededError,
  toSessionKeyAccount,
} from '../src/index.js'

const devnet = await createDevnet()
const { ownerAccount, account, token, recipient } = await setupDemoAccount(devnet)
const key = generateSessionKey()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: key.address,
  permissions: [
    {
      whitelistDestination: token,
      whitelistMethods: ['transfer(address,uint256)'],
      tokenAmount: parseUnits('500', 18),
    },
  ],
  validity: { endTimestamp: (await devnet.now()) + 3600 },
})
await devnet.submitter.sendUserOperation({
  account: ownerAccount,
  calls: await getGrantSessionCalls(devnet.client, { session }),
})
const dapp = await toSessionKeyAccount({ client: devnet.client, session, sessionKey: key.privateKey })
const transfer = (amount: string) => ({
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, parseUnits(amount, 18)] }),
})

const outcome = await devnet.submitter.sendUserOperation({
  account: dapp,
  calls: [transfer('100'), transfer('150'), transfer('50')],
})
const [limit] = await getSpendingLimits(devnet.client, { session })
console.log(
  `✓ a batch of 3 transfers in one operation (${outcome.transactionGasUsed} gas); spent ${limit.spent / 10n ** 18n} of 500 TUSD`,
)
try {
  await devnet.submitter.sendUserOperation({ account: dapp, calls: [transfer('150'), transfer('150')] })
  console.error('✗ a batch over the limit was not refused')
  process.exit(1)
} catch (error) {
  if (!(error instanceof SpendingLimitExceededError)) throw error
  console.log(`✓ refused a batch whose transfers each fit but together exceed the limit: ${error.shortMessage}`)
}
process.exit(limit.spent === parseUnits('300', 18) ? 0 : 1)
