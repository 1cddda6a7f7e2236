// The owner moves a live session to a new key (the old key leaked, or the dapp moved its key):
// the counters stay, so what the old key spent stays spent. Then the owner replaces the session
// with a larger one, atomically: had the key spent after the owner looked, nothing would change.
import { encodeFunctionData, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount, testTokenAbi } from '../src/devnet/index.js'
import {
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  getReplaceSessionCalls,
  getRotateSessionKeyCalls,
  getSpendingLimits,
  InvalidSessionSignatureError,
  toSessionKeyAccount,
} from '../src/index.js'

const devnet = await createDevnet()
const { client, submitter } = devnet
const { ownerAccount, account, token, recipient } = await setupDemoAccount(devnet)
const tusd = (n: number) => parseUnits(String(n), 18)
const pay = (amount: number) => ({
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, tusd(amount)] }),
})
const sessionFor = (sessionKey: `0x${string}`, total: number, now: number) =>
  defineSession({
    account,
    chainId: devnet.chain.id,
    sessionKey,
    permissions: [
      { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tusd(total) },
    ],
    validity: { endTimestamp: now + 3600 },
  })

const first = generateSessionKey()
const session = sessionFor(first.address, 20, await devnet.now())
await submitter.sendUserOperation({ account: ownerAccount, calls: await getGrantSessionCalls(client, { session }) })
const dapp = await toSessionKeyAccount({ client, session, sessionKey: first.privateKey })
await submitter.sendUserOperation({ account: dapp, calls: [pay(8)] })
console.log('✓ the first key paid 8 of its 20 TUSD')

// Rotate: same session, same counters, new key.
const second = generateSessionKey()
const { calls, session: rotated } = getRotateSessionKeyCalls({ session, newSessionKey: second.address })
await submitter.sendUserOperation({ account: ownerAccount, calls })
const oldKeyRefused = await submitter.sendUserOperation({ account: dapp, calls: [pay(1)] }).then(
  () => false,
  (e) => e instanceof InvalidSessionSignatureError,
)
const moved = await toSessionKeyAccount({ client, session: rotated, sessionKey: second.privateKey })
const [limit] = await getSpendingLimits(client, { session: rotated })
console.log(
  `✓ rotated to ${second.address.slice(0, 10)}…: the old key is ${oldKeyRefused ? 'refused' : 'STILL ACCEPTED'}, ${limit.remaining / tusd(1)} TUSD left (not a fresh 20)`,
)
await submitter.sendUserOperation({ account: moved, calls: [pay(2)] })

// Replace it with a 100 TUSD session, atomically.
const third = generateSessionKey()
const replacement = sessionFor(third.address, 100, await devnet.now())
const replace = await getReplaceSessionCalls(client, { session: rotated, replacement })
await submitter.sendUserOperation({ account: ownerAccount, calls: replace.calls })
const next = await toSessionKeyAccount({ client, session: replacement, sessionKey: third.privateKey })
await submitter.sendUserOperation({ account: next, calls: [pay(100)] })
const paid = await client.readContract({
  address: token,
  abi: testTokenAbi,
  functionName: 'balanceOf',
  args: [recipient],
})
console.log(`✓ replaced in one owner operation: the new session paid 100 TUSD; ${paid / tusd(1)} TUSD paid in all`)
process.exit(oldKeyRefused && limit.remaining === tusd(12) && paid === tusd(110) ? 0 : 1)
