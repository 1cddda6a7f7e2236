// Recurring allowance and rate limit: 10 TUSD a day, at most 3 payments a day, 100 TUSD over
// the session's month. The chain refuses the 11th TUSD of a day and takes it the next day,
// without ever reading the clock in validation: the key's signature claims a time, the module
// charges that day and tells the EntryPoint the operation is valid during that day only.
import { encodeFunctionData, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount, testTokenAbi } from '../src/devnet/index.js'
import {
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  getSessionExposure,
  PeriodLimitExceededError,
  preflight,
  toSessionKeyAccount,
} from '../src/index.js'

const devnet = await createDevnet()
const { ownerAccount, account, token, recipient } = await setupDemoAccount(devnet)
const tusd = (n: number) => parseUnits(String(n), 18)
const key = generateSessionKey()
const now = await devnet.now()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: key.address,
  permissions: [
    {
      whitelistDestination: token,
      whitelistMethods: ['transfer(address,uint256)'],
      tokenAmount: tusd(100),
      // Days counted from the session's start (now, by default).
      recurring: { period: 'day', tokenAmount: tusd(10), maxUses: 3 },
    },
  ],
  validity: { startTimestamp: now, endTimestamp: now + 30 * 86_400 },
})
const worst = getSessionExposure({ session }).tokens[0].max
console.log(`worst case over the month: ${worst === 'unbounded' ? worst : `${worst / 10n ** 18n} TUSD`}`)
await devnet.submitter.sendUserOperation({
  account: ownerAccount,
  calls: await getGrantSessionCalls(devnet.client, { session }),
})
const dapp = await toSessionKeyAccount({ client: devnet.client, session, sessionKey: key.privateKey })
const pay = (n: number) => ({
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, tusd(n)] }),
})

await devnet.submitter.sendUserOperation({ account: dapp, calls: [pay(6)] })
await devnet.submitter.sendUserOperation({ account: dapp, calls: [pay(4)] })
console.log('✓ paid 6 + 4 TUSD today')
let refused: PeriodLimitExceededError | undefined
try {
  await preflight(devnet.client, { session, calls: [pay(1)], maxCost: 0n })
} catch (error) {
  if (!(error instanceof PeriodLimitExceededError)) throw error
  refused = error
  console.log(`✓ the 11th TUSD today is refused: ${error.shortMessage}`)
}
await devnet.increaseTime(86_400)
const { warnings } = await preflight(devnet.client, { session, calls: [pay(10)], maxCost: 0n })
await devnet.submitter.sendUserOperation({ account: dapp, calls: [pay(10)] })
console.log(`✓ the next day, 10 TUSD again${warnings.length > 0 ? ` (${warnings.join(' ')})` : ''}`)
process.exit(refused?.kind === 'token' && refused.period === 0n && worst === tusd(100) ? 0 : 1)
